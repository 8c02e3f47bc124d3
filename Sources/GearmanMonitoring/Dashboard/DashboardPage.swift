/// The dashboard served at `/`: one self-contained page (no external scripts, styles or fonts) that polls
/// `/api/status` every second and redraws the functions and workers tables and the throughput chart.
///
/// Every number sits in an element with a stable `data-*` address (`tr[data-function=NAME]
/// td[data-field=running]`, `#total-queued`, ...) so tests and scripts can read the rendered page.
/// Names come from clients, so they are only ever set as text, never as HTML.
enum DashboardPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>geard</title>
        <style>
          :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2330; --muted: #667085; --line: #e4e7ec;
                  --submitted: #2563eb; --completed: #16a34a; --bad: #dc2626; }
          * { box-sizing: border-box; }
          body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
          header { display: flex; align-items: baseline; gap: 12px; padding: 16px 24px; background: var(--ink); color: #fff; }
          header h1 { margin: 0; font-size: 20px; }
          header .muted { color: #b8c0cc; }
          #state { margin-left: auto; font-size: 12px; }
          #state.lost { color: #fca5a5; }
          main { padding: 16px 24px; display: grid; gap: 16px; }
          .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px; }
          .card, section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
          .card .value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
          .card .label, .muted { color: var(--muted); }
          h2 { font-size: 15px; margin: 0 0 8px; }
          table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
          th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); }
          th { color: var(--muted); font-weight: 500; font-size: 12px; text-transform: uppercase; }
          td.num, th.num { text-align: right; }
          tr.empty td { color: var(--muted); text-align: center; }
          svg { width: 100%; height: 180px; }
          .legend span { display: inline-block; margin-right: 16px; }
          .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
        </style>
        </head>
        <body data-polls="0">
        <header><h1>geard</h1><span class="muted" id="version"></span><span id="state">connecting…</span></header>
        <main>
          <div class="cards">
            <div class="card"><div class="value" id="total-queued">–</div><div class="label">queued</div></div>
            <div class="card"><div class="value" id="total-running">–</div><div class="label">running</div></div>
            <div class="card"><div class="value" id="total-workers">–</div><div class="label">workers</div></div>
            <div class="card"><div class="value" id="total-connections">–</div><div class="label">connections</div></div>
            <div class="card"><div class="value" id="completed-minute">–</div><div class="label">jobs done, last minute</div></div>
          </div>
          <section>
            <h2>Throughput <span class="muted">(jobs per second, last 60 s)</span></h2>
            <div class="legend"><span><i style="background:var(--submitted)"></i>submitted</span><span><i style="background:var(--completed)"></i>completed</span><span class="muted" id="chart-max"></span></div>
            <svg id="chart" viewBox="0 0 600 160" preserveAspectRatio="none" role="img" aria-label="throughput">
              <line x1="0" y1="159" x2="600" y2="159" stroke="#e4e7ec"></line>
              <polyline id="line-submitted" fill="none" stroke="#2563eb" stroke-width="2" points=""></polyline>
              <polyline id="line-completed" fill="none" stroke="#16a34a" stroke-width="2" points=""></polyline>
            </svg>
          </section>
          <section>
            <h2>Functions</h2>
            <table>
              <thead><tr><th>function</th><th class="num">high</th><th class="num">normal</th><th class="num">low</th><th class="num">queued</th><th class="num">scheduled</th><th class="num">running</th><th class="num">workers</th></tr></thead>
              <tbody id="functions"><tr class="empty"><td colspan="8">no functions</td></tr></tbody>
            </table>
          </section>
          <section>
            <h2>Workers</h2>
            <table>
              <thead><tr><th>#</th><th>address</th><th>client id</th><th>functions</th><th class="num">running</th></tr></thead>
              <tbody id="workers"><tr class="empty"><td colspan="5">no workers</td></tr></tbody>
            </table>
          </section>
        </main>
        <script>
        "use strict";
        const byId = (id) => document.getElementById(id);
        const sum = (values) => values.reduce((a, b) => a + b, 0);

        function cell(text, field, numeric) {
          const td = document.createElement("td");
          td.textContent = String(text);
          if (field) td.dataset.field = field;
          if (numeric) td.className = "num";
          return td;
        }

        function fill(body, rows, columns, emptyText) {
          body.replaceChildren();
          if (rows.length === 0) {
            const tr = document.createElement("tr");
            tr.className = "empty";
            tr.appendChild(cell(emptyText)).colSpan = columns;
            body.appendChild(tr);
          }
          for (const row of rows) body.appendChild(row);
        }

        function functionRow(f) {
          const tr = document.createElement("tr");
          tr.dataset.function = f.name;
          tr.append(cell(f.name, "name"), cell(f.queued.high, "high", true), cell(f.queued.normal, "normal", true),
            cell(f.queued.low, "low", true), cell(f.queued.high + f.queued.normal + f.queued.low, "queued", true),
            cell(f.scheduled, "scheduled", true), cell(f.running, "running", true), cell(f.workers, "workers", true));
          return tr;
        }

        function workerRow(w) {
          const tr = document.createElement("tr");
          tr.dataset.worker = String(w.id);
          tr.append(cell(w.id, "id"), cell(w.address, "address"), cell(w.clientID, "client"),
            cell(w.functions.join(", "), "functions"), cell(w.runningJobs, "running", true));
          return tr;
        }

        function points(values, top) {
          const step = 600 / Math.max(values.length - 1, 1);
          return values.map((v, i) => (i * step).toFixed(1) + "," + (158 - (v / top) * 150).toFixed(1)).join(" ");
        }

        function render(status) {
          byId("version").textContent = "version " + status.version;
          byId("total-queued").textContent = sum(status.functions.map((f) => f.queued.high + f.queued.normal + f.queued.low));
          byId("total-running").textContent = sum(status.functions.map((f) => f.running));
          byId("total-workers").textContent = status.workers.length;
          byId("total-connections").textContent = status.connections;
          byId("completed-minute").textContent = sum(status.throughput.completed);
          fill(byId("functions"), status.functions.map(functionRow), 8, "no functions");
          fill(byId("workers"), status.workers.map(workerRow), 5, "no workers");
          const top = Math.max(1, ...status.throughput.submitted, ...status.throughput.completed);
          byId("line-submitted").setAttribute("points", points(status.throughput.submitted, top));
          byId("line-completed").setAttribute("points", points(status.throughput.completed, top));
          byId("chart-max").textContent = "peak " + top + "/s";
        }

        async function poll() {
          try {
            const response = await fetch("api/status", { cache: "no-store" });
            if (!response.ok) throw new Error("HTTP " + response.status);
            render(await response.json());
            document.body.dataset.polls = String(Number(document.body.dataset.polls) + 1);
            byId("state").className = "";
            byId("state").textContent = "updated " + new Date().toLocaleTimeString();
          } catch (error) {
            byId("state").className = "lost";
            byId("state").textContent = "connection lost (" + error.message + "), retrying";
          }
          setTimeout(poll, 1000);
        }
        poll();
        </script>
        </body>
        </html>
        """
}
