"""`make bench`'s ratio to the baseline: each round's own, then their median."""

import statistics

import pytest

from consultations.booking.management.commands.bench_http import paired_ratio


def test_the_ratio_is_the_median_of_each_rounds_own_not_the_ratio_of_the_medians():
    # The host's speed changes between rounds; within each, the endpoint serves 0.4, 0.45
    # and 0.3 of the baseline. The medians (45 and 150) come from different rounds.
    endpoint, baseline = [40.0, 90.0, 45.0], [100.0, 200.0, 150.0]
    assert paired_ratio(endpoint, baseline) == pytest.approx(0.4)
    assert statistics.median(endpoint) / statistics.median(baseline) == pytest.approx(0.3)


def test_an_odd_round_does_not_move_the_ratio():
    assert paired_ratio([40.0, 10.0, 40.0], [100.0, 100.0, 100.0]) == pytest.approx(0.4)


def test_the_endpoint_and_the_baseline_must_share_their_rounds():
    with pytest.raises(ValueError, match="same rounds"):
        paired_ratio([40.0, 40.0], [100.0, 100.0, 100.0])
    with pytest.raises(ValueError, match="same rounds"):
        paired_ratio([], [])
