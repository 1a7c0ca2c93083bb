// The meeting form: choosing a regulator fills an empty time-zone box with that regulator's
// zone (the first chosen, as listed), as the server does when the form is saved with it empty.
// The box carries the regulators' zones (data-regulator-zones) and the name of their field.
document.addEventListener("change", (event) => {
    const changed = event.target;
    if (!changed.form) {
        return;
    }
    const boxes = changed.form.querySelectorAll("input[data-regulator-zones]");
    for (const box of boxes) {
        if (changed.name !== box.dataset.regulatorsField || box.value.trim() !== "") {
            continue;
        }
        const zones = JSON.parse(box.dataset.regulatorZones);
        const fields = changed.form.querySelectorAll(`[name="${CSS.escape(changed.name)}"]`);
        const chosen = [];
        for (const field of fields) {
            if (field instanceof HTMLSelectElement) {
                chosen.push(...Array.from(field.selectedOptions, (option) => option.value));
            } else if (field.checked) {
                chosen.push(field.value);
            }
        }
        const zone = chosen.map((pk) => zones[pk]).find(Boolean);
        if (zone) {
            box.value = zone;
            box.dispatchEvent(new Event("input", { bubbles: true }));
            box.dispatchEvent(new Event("change", { bubbles: true }));
        }
    }
});
