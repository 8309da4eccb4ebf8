// The progress of a background export: poll the job's JSON until it is done or failed (server/exports/views.py).
const box = document.getElementById('job');
const bar = document.getElementById('job-progress');
const text = document.getElementById('job-state');
const link = document.getElementById('job-download');

function show(status) {
  if (status.percent !== null) bar.value = status.percent;
  const fill = (template) => template.replace('{done}', status.done).replace('{total}', status.total);
  if (status.state === 'queued') text.textContent = text.dataset.queued;
  else if (status.state === 'running') text.textContent = fill(status.total ? text.dataset.running : text.dataset.runningUnknown);
  else if (status.state === 'done') text.textContent = fill(text.dataset.done);
  else text.textContent = `${text.dataset.failed} ${status.error || ''}`;
  if (status.download) {
    link.href = status.download;
    link.hidden = false;
  }
}

async function poll(delay) {
  try {
    const answer = await fetch(box.dataset.statusUrl, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (answer.ok) {
      const status = await answer.json();
      show(status);
      if (status.state === 'done' || status.state === 'failed') return;
    }
  } catch (error) {
    // The server is out of reach for a moment: try again, a little later each time.
  }
  setTimeout(() => poll(Math.min(delay * 1.5, 10000)), delay);
}

if (box && (box.dataset.state === 'queued' || box.dataset.state === 'running')) poll(1000);
