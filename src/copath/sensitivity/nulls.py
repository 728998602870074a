"""Null reorderings of MCMC draws that keep their autocorrelation.

A permutation null compares a statistic with its values after the draws of one quantity
are reordered, which breaks any tie to the other quantities. Shuffling draws uniformly
assumes they are exchangeable; MCMC draws are autocorrelated, and two autocorrelated
series unrelated to each other agree by chance more often than a uniform shuffle shows
(with lag-1 autocorrelation 0.7 an unrelated coefficient passed a uniform-shuffle test at
level 1/40 in 17% of cases; methods review, issue 18). Shifting each chain circularly by a
random offset, and reordering the chains, keeps each series' autocorrelation and breaks
the alignment (a circular block bootstrap with one block per chain; Politis & Romano 1992).
It assumes each chain is stationary, as post-warm-up draws are: a sorted or trending
series keeps most of its order under a shift, and the null would then be too high.

Example
-------
>>> import numpy as np
>>> order = circular_shift_order(2, 5, np.random.default_rng(4))   # chains swapped, then shifted
>>> sorted(order.tolist()) == list(range(10)), order.reshape(2, 5).tolist()
(True, [[6, 7, 8, 9, 5], [1, 2, 3, 4, 0]])
"""

from __future__ import annotations

import numpy as np

__all__ = ["circular_shift_order"]


def circular_shift_order(chains: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """An order of ``chains * draws`` chain-major draws: chains reordered at random, each
    shifted circularly by its own random offset.

    Parameters
    ----------
    chains, draws
        The sampler's chains and draws per chain; the draws are stacked chain-major (all
        of chain 0, then chain 1, ...).
    rng
        Source of the offsets and the chain order.

    Returns
    -------
    numpy.ndarray
        Integer indices into the stacked draws; ``values[order]`` is the null series.

    Example
    -------
    >>> import numpy as np
    >>> circular_shift_order(1, 4, np.random.default_rng(0)).tolist()
    [1, 2, 3, 0]
    """
    if chains < 1 or draws < 1:
        raise ValueError(f"need at least one chain and one draw, got {chains} x {draws}")
    index = np.arange(chains * draws).reshape(chains, draws)
    shifted = np.stack([np.roll(index[c], int(rng.integers(draws))) for c in rng.permutation(chains)])
    return shifted.reshape(-1)
