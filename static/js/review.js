// Review pages: a "select all" box ticks every box of its group; on the meeting's form, typing a household's
// votes ticks that household. The script never fills in a vote: what the minutes say is typed, or the supervisor
// marks "all in favour" explicitly. The pages work without it (the server refuses votes typed for an unticked
// household, naming it).
for (const all of document.querySelectorAll("input[data-select-all]")) {
  const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`);
  all.checked = boxes().length > 0 && [...boxes()].every((box) => box.checked);
  all.addEventListener("change", () => { for (const box of boxes()) box.checked = all.checked; });
}

for (const votes of document.querySelectorAll("input.votes")) {
  const id = votes.name.replace(/^votes-/, "");
  const tick = document.getElementById(`include-${id}`);
  votes.addEventListener("input", () => { if (tick && votes.value.trim() !== "") tick.checked = true; });
}
