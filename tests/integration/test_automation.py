import os

import dagster as dg

from orchestration.defs.automation.jobs import daily_schedule, documents_folder_sensor


def test_the_sensor_starts_a_run_only_when_the_folder_changes(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COMMUNIQUE_DOCUMENTS", str(tmp_path))
    (tmp_path / "a.txt").write_text(" date 2023-03-24 A.")
    first = documents_folder_sensor(dg.build_sensor_context(cursor=None))
    assert isinstance(first, dg.RunRequest)
    context = dg.build_sensor_context(cursor=first.run_key)
    assert isinstance(documents_folder_sensor(context), dg.SkipReason)
    (tmp_path / "b.txt").write_text(" date 2023-03-25 B.")
    os.utime(tmp_path / "b.txt", ns=(2_000_000_000_000_000_000, 2_000_000_000_000_000_000))
    assert isinstance(documents_folder_sensor(dg.build_sensor_context(cursor=first.run_key)), dg.RunRequest)


def test_the_daily_schedule_runs_everything() -> None:
    request = daily_schedule.evaluate_tick(dg.build_schedule_context())
    assert len(request.run_requests) == 1
    assert daily_schedule.job_name == "all_assets_job"
