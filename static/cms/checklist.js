// Searchable checkbox lists (cms.widgets.Checklist). Typing in a list's filter box hides the
// entries that do not match, never a ticked one, so a filter cannot hide what is chosen; the
// count says how many are ticked. The listeners sit on the document, so a list added after
// the page loaded (a new agenda item of an InlinePanel) works without being set up.

// The filter box and the count are hidden by checklist.css until this script runs: without
// it, the list is a plain list of checkboxes.
document.documentElement.classList.add("checklist-ready");

// "Santé" matches "sante", "MHRA" matches "mhra".
const fold = (text) => text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();

function applyFilter(list, box) {
    const words = fold(box.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const checkbox of list.querySelectorAll("input[type=checkbox]")) {
        const entry = checkbox.closest(".checklist__options > div");
        const text = fold(entry.textContent);
        entry.hidden = !checkbox.checked && !words.every((word) => text.includes(word));
        shown += entry.hidden ? 0 : 1;
    }
    list.querySelector("[data-checklist-none]").hidden = shown > 0;
}

function updateCount(list) {
    const chosen = list.querySelectorAll("input[type=checkbox]:checked").length;
    list.querySelector("[data-checklist-count]").textContent = `${chosen} chosen`;
}

// A checkbox unticked while filtered stays in view until the filter changes, so a slip can
// be undone where it happened.
function handle(event) {
    const list = event.target.closest?.("[data-checklist]");
    if (!list) {
        return;
    }
    if (event.target.matches("[data-checklist-filter]")) {
        applyFilter(list, event.target);
    } else if (event.target.type === "checkbox") {
        updateCount(list);
    }
}

document.addEventListener("input", handle);
document.addEventListener("change", handle);

// Enter in the filter box would submit the whole form; Escape empties the box.
document.addEventListener("keydown", (event) => {
    const box = event.target.closest?.("[data-checklist-filter]");
    if (!box) {
        return;
    }
    if (event.key === "Enter") {
        event.preventDefault();
    } else if (event.key === "Escape" && box.value) {
        event.preventDefault();
        box.value = "";
        applyFilter(box.closest("[data-checklist]"), box);
    }
});
