"""`make bench`'s ratio to the baseline: each round's own, against the baselines measured just
before and just after the endpoint, then their median."""

import statistics

import pytest

from consultations.booking.management.commands import bench_http
from consultations.booking.management.commands.bench_http import bracketed_ratio


def test_each_round_compares_the_endpoint_with_the_baselines_around_it():
    # The host slows down during the second round: the baseline before the endpoint served
    # 200 a second, the one after 100. Against their mean the endpoint served 0.4.
    endpoint, before, after = [40.0, 60.0, 45.0], [100.0, 200.0, 100.0], [100.0, 100.0, 125.0]
    assert bracketed_ratio(endpoint, before, after) == pytest.approx(0.4)
    # Against the baseline before it only, the second round would say 0.3.
    assert endpoint[1] / before[1] == pytest.approx(0.3)


def test_the_ratio_is_the_median_of_the_rounds_not_the_ratio_of_the_medians():
    # Within each round the endpoint serves 0.4, 0.45 and 0.3 of the baseline; the medians
    # (45 and 150) come from different rounds.
    endpoint, baseline = [40.0, 90.0, 45.0], [100.0, 200.0, 150.0]
    assert bracketed_ratio(endpoint, baseline, baseline) == pytest.approx(0.4)
    assert statistics.median(endpoint) / statistics.median(baseline) == pytest.approx(0.3)


def test_an_odd_round_does_not_move_the_ratio():
    same = [100.0, 100.0, 100.0]
    assert bracketed_ratio([40.0, 10.0, 40.0], same, same) == pytest.approx(0.4)


def test_every_round_needs_both_baselines():
    with pytest.raises(ValueError, match="before and after"):
        bracketed_ratio([40.0, 40.0], [100.0, 100.0], [100.0])
    with pytest.raises(ValueError, match="before and after"):
        bracketed_ratio([], [], [])


def test_each_endpoint_runs_between_two_baselines_and_is_compared_with_them(monkeypatch):
    command = bench_http.Command()
    command.options = {"rounds": 2, "seconds": 2, "baseline_seconds": 1, "per_round": 2}
    ran, rates = [], iter(range(100, 200))

    def wrk(name, lines, expected, once, seconds):
        ran.append((name, seconds, [line[1] for line in lines]))
        return bench_http.Measure(float(next(rates)), 10.0, 20.0, 0, 1)

    monkeypatch.setattr(command, "_wrk", wrk)
    monkeypatch.setattr(command, "_vacuum_if_autovacuum_is_off", lambda url: None)
    monkeypatch.setattr(command, "_say", lambda text: None)
    slept = []
    monkeypatch.setattr(bench_http.time, "sleep", slept.append)
    requests = {
        "baseline": [["GET", "/livez", "", ""]],
        "page": [["GET", "/page", "", ""]],
        "post": [["POST", f"/post/{n}", "", ""] for n in range(4)],
    }
    endpoints = (("baseline", 200, False), ("page", 200, False), ("post", 302, True))
    results = command._rounds(requests, endpoints, "url")

    measured = ran[2:]  # after the warm-up
    assert [name for name, _s, _p in ran[:2]] == ["baseline", "page"]  # POSTs not warmed up
    assert [name for name, _s, _p in measured] == [
        "baseline",
        "page",
        "baseline",
        "post",
        "baseline",
    ] * 2
    assert {seconds for name, seconds, _p in measured if name == "baseline"} == {1}
    assert {seconds for name, seconds, _p in measured if name != "baseline"} == {2}
    # Each round's POSTs are new lines.
    assert [paths for name, _s, paths in measured if name == "post"] == [
        ["/post/0", "/post/1"],
        ["/post/2", "/post/3"],
    ]
    # Rates were handed out in order: 102 baseline, 103 page, 104 baseline, 105 post, 106 ...
    assert results["page"]["rounds_rps"] == [103.0, 108.0]
    assert results["page"]["baseline_before_rps"] == [102.0, 107.0]
    assert results["page"]["baseline_after_rps"] == [104.0, 109.0]
    assert results["post"]["baseline_before_rps"] == [104.0, 109.0]
    assert results["post"]["baseline_after_rps"] == [106.0, 111.0]
    assert results["baseline"]["rounds_rps"] == [102.0, 104.0, 106.0, 107.0, 109.0, 111.0]
    # After every run, warm-up included, the server is left to finish what is in flight.
    assert slept == [pytest.approx(1.5 * 0.020 + 0.05)] * len(ran)
