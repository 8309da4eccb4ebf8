// Review pages: a "select all" box ticks every box of its group; the meeting's "votes in favour" boxes follow
// the number of attendees until the supervisor types into one. The pages work without this script: an empty
// votes box counts as every attendee in favour, and every household starts ticked.
for (const all of document.querySelectorAll("input[data-select-all]")) {
  const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`);
  all.checked = [...boxes()].every((box) => box.checked);
  all.addEventListener("change", () => { for (const box of boxes()) box.checked = all.checked; });
}

const attendees = document.querySelector("input[name=attendees]");
if (attendees) {
  const votes = [...document.querySelectorAll("input.votes")];
  for (const box of votes) box.addEventListener("input", () => { box.dataset.typed = "1"; });
  attendees.addEventListener("input", () => {
    for (const box of votes) if (!box.dataset.typed) box.value = attendees.value;
  });
}
