// The meeting form: "all day" ticked shows the first- and last-day boxes and hides the start,
// end and clock-change boxes; unticked, the other way round. Without this script all of them
// show and the server uses the pair that "all day" names.
(() => {
    // The panel wrapper holds the field's label too (Wagtail puts it beside the field).
    const wrapper = (field) =>
        field.closest(".w-panel__wrapper") || field.closest("[data-field-wrapper]") || field;

    function toggle(form) {
        const allDay = form.querySelector('input[type="checkbox"][name$="all_day"]');
        if (!allDay) {
            return;
        }
        const show = (names, visible) => {
            for (const name of names) {
                const field = form.querySelector(`[name$="${name}"]`);
                if (field) {
                    wrapper(field).hidden = !visible;
                }
            }
        };
        show(["first_day", "last_day"], allDay.checked);
        show(["local_start", "local_end", "occurrence"], !allDay.checked);
    }

    function init() {
        for (const form of document.querySelectorAll("form")) {
            toggle(form);
        }
    }

    document.addEventListener("change", (event) => {
        if (event.target.form && event.target.name && event.target.name.endsWith("all_day")) {
            toggle(event.target.form);
        }
    });
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
