"""Provision Superset from bi/dashboard.json through its REST API, check it, screenshot it.

Runs with .venv-bi's Python against a Superset serving on BASE (default http://127.0.0.1:8088):

    python bi/provision.py provision SNAPSHOT     # database (read-only), datasets, charts, dashboard
    python bi/provision.py check OUT.png          # every chart returns rows; the dashboard renders
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

BASE = os.environ.get("SUPERSET_URL", "http://127.0.0.1:8088")
USER, PASSWORD = os.environ.get("SUPERSET_USER", "admin"), os.environ.get("SUPERSET_PASSWORD", "admin")
SPEC = json.loads((Path(__file__).parent / "dashboard.json").read_text())
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class Api:
    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        token = self.call(
            "POST",
            "/api/v1/security/login",
            {"username": USER, "password": PASSWORD, "provider": "db", "refresh": True},
        )["access_token"]
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.headers["X-CSRFToken"] = self.call("GET", "/api/v1/security/csrf_token/")["result"]
        self.headers["Referer"] = BASE

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            BASE + path,
            data=data,
            method=method,
            headers=getattr(self, "headers", {"Content-Type": "application/json"}),
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: {error.code} {error.read()[:1000]!r}") from error


def wait_until_up(seconds: int = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(BASE + "/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"Superset did not answer on {BASE} within {seconds} s")


def metric(sql: str) -> dict:
    return {"expressionType": "SQL", "sqlExpression": sql, "label": sql}


def form_data(chart: dict, dataset_id: int) -> dict:
    where = (
        [{"expressionType": "SQL", "clause": "WHERE", "sqlExpression": chart["where"]}]
        if chart.get("where")
        else []
    )
    params = {
        "viz_type": chart["viz_type"],
        "datasource": f"{dataset_id}__table",
        "adhoc_filters": where,
        "row_limit": chart.get("row_limit", 10000),
    }
    if chart["viz_type"] == "echarts_timeseries_line":
        params |= {
            "x_axis": chart["x_axis"],
            "time_grain_sqla": "P1M",
            "metrics": [metric(chart["metric"])],
            "groupby": chart["groupby"],
            "show_legend": True,
        }
    elif "columns" in chart:
        params |= {
            "query_mode": "raw",
            "all_columns": chart["columns"],
            "order_by_cols": [json.dumps([chart["order_by"], True])] if chart.get("order_by") else [],
        }
    else:
        params |= {
            "query_mode": "aggregate",
            "groupby": chart["groupby"],
            "metrics": [metric(chart["metric"])],
            "order_desc": True,
            "timeseries_limit_metric": metric(chart["metric"]),
        }
    return params


def query_context(chart: dict, dataset_id: int) -> dict:
    """The query a chart runs, as /api/v1/chart/data takes it."""
    query: dict = {
        "filters": [],
        "extras": {"where": chart.get("where") or ""},
        "row_limit": chart.get("row_limit", 10000),
    }
    if "columns" in chart:
        query |= {
            "columns": chart["columns"],
            "metrics": [],
            "orderby": [[chart["order_by"], True]] if chart.get("order_by") else [],
        }
    else:
        columns = ([chart["x_axis"]] if chart.get("x_axis") else []) + chart["groupby"]
        query |= {"columns": columns, "metrics": [metric(chart["metric"])]}
    return {
        "datasource": {"id": dataset_id, "type": "table"},
        "queries": [query],
        "result_format": "json",
        "result_type": "full",
        "form_data": form_data(chart, dataset_id),
    }


def provision(snapshot: str) -> None:
    wait_until_up()
    api = Api()
    database = api.call(
        "POST",
        "/api/v1/database/",
        {
            "database_name": SPEC["database"],
            "sqlalchemy_uri": f"duckdb:///{Path(snapshot).resolve()}",
            "expose_in_sqllab": True,
            "allow_run_async": False,
            "extra": json.dumps({"engine_params": {"connect_args": {"read_only": True}}}),
        },
    )["id"]
    datasets = {
        name: api.call(
            "POST", "/api/v1/dataset/", {"database": database, "schema": "marts", "table_name": name}
        )["id"]
        for name in SPEC["datasets"]
    }
    charts = []
    for chart in SPEC["charts"]:
        dataset_id = datasets[chart["dataset"]]
        created = api.call(
            "POST",
            "/api/v1/chart/",
            {
                "slice_name": chart["name"],
                "viz_type": chart["viz_type"],
                "datasource_id": dataset_id,
                "datasource_type": "table",
                "params": json.dumps(form_data(chart, dataset_id)),
                "query_context": json.dumps(query_context(chart, dataset_id)),
            },
        )
        charts.append((created["id"], chart))
    layout = dashboard_layout(charts)
    dashboard = api.call(
        "POST",
        "/api/v1/dashboard/",
        {
            "dashboard_title": SPEC["title"],
            "slug": SPEC["slug"],
            "published": True,
            "position_json": json.dumps(layout),
            "json_metadata": json.dumps({"color_scheme": "supersetColors"}),
        },
    )["id"]
    for chart_id, _ in charts:
        api.call("PUT", f"/api/v1/chart/{chart_id}", {"dashboards": [dashboard]})
    print(f"provisioned dashboard {SPEC['slug']} ({dashboard}) with {len(charts)} charts over {snapshot}")


def dashboard_layout(charts: list[tuple[int, dict]]) -> dict:
    layout = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": SPEC["title"]}},
    }
    row, width = None, 0
    for chart_id, chart in charts:
        if row is None or width + chart["width"] > 12:
            row = f"ROW-{chart_id}"
            layout[row] = {
                "type": "ROW",
                "id": row,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID"],
                "meta": {"background": "BACKGROUND_TRANSPARENT"},
            }
            layout["GRID_ID"]["children"].append(row)
            width = 0
        key = f"CHART-{chart_id}"
        layout[key] = {
            "type": "CHART",
            "id": key,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID", row],
            "meta": {"chartId": chart_id, "width": chart["width"], "height": 60, "sliceName": chart["name"]},
        }
        layout[row]["children"].append(key)
        width += chart["width"]
    return layout


def check(screenshot: str) -> None:
    wait_until_up()
    api = Api()
    charts = api.call("GET", "/api/v1/chart/?q=" + urllib.request.quote(json.dumps({"page_size": 100})))[
        "result"
    ]
    names = {c["slice_name"]: c["id"] for c in charts}
    for chart in SPEC["charts"]:
        detail = api.call("GET", f"/api/v1/chart/{names[chart['name']]}")["result"]
        context = json.loads(detail["query_context"])
        rows = api.call("POST", "/api/v1/chart/data", context)["result"][0]["rowcount"]
        print(f"chart {chart['name']!r}: {rows} rows")
        if not rows:
            raise SystemExit(f"chart {chart['name']!r} returned no rows")
    take_screenshot(screenshot)


def take_screenshot(out: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1400})
        page.goto(BASE + "/login/")
        page.fill("input[name=username], #username", USER)
        page.fill("input[name=password], #password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        page.goto(f"{BASE}/superset/dashboard/{SPEC['slug']}/?standalone=1")
        page.wait_for_selector("canvas, .echarts-for-react", timeout=60_000)
        page.wait_for_timeout(3000)
        page.screenshot(path=out, full_page=True)
        browser.close()
    print(f"screenshot: {out}")


if __name__ == "__main__":
    {"provision": provision, "check": check}[sys.argv[1]](*sys.argv[2:])
