"""Five standard meta-analysis data sets with their published random-effects REML results.

Each data set holds the raw study data as the source prints them, the study-level
estimates ``yi`` and sampling variances ``vi`` computed from them with the standard
formulas (the same ones metafor's ``escalc`` uses, see each entry), the study-level
``yi``/``vi`` the source prints (4 decimals) for a transcription check, and the published
REML fit of the random-effects model: ``mu`` and its ``se``, ``tau2``, ``I2`` (%), ``Q``
and ``k``, with the 95% prediction interval where the source prints one.

Every number was read from the pages below, never recalled. The main source is the
metadat package's reference pages, which show each data set and the output of
``rma(yi, vi)`` (metafor, REML is its default) run on it:

    https://wviechtb.github.io/metadat/reference/<name>.html

read as ``docs/reference/<name>.html`` in github.com/wviechtb/metadat at commit
0cb96ce4ff16586a9dbc8a9b0f9bc617538d2738 (site built with pkgdown 2.2.1); the raw data
also as ``data-raw/<name>.txt`` in the same commit. They span the heterogeneity range:
no heterogeneity (Hart 1999, I2 0%), moderate (Raudenbush 1985, 42%; Molloy 2014, 62%)
and high (BCG, 92%; Normand 1999, 99%).

:func:`reml` is an independent REML fit (DerSimonian-Laird start, then the Fisher
scoring of the restricted likelihood that metafor's ``rma.uni`` uses), so that the tests
can show the transcribed data give the published fit.

Example
-------
>>> fit = reml(BCG["yi"], BCG["vi"])
>>> round(fit["tau2"], 4), round(fit["mu"], 4)
(0.3132, -0.7145)
"""

from __future__ import annotations

import math

import numpy as np

METADAT_COMMIT = "0cb96ce4ff16586a9dbc8a9b0f9bc617538d2738"


def _page(name: str) -> str:
    return (
        f"https://wviechtb.github.io/metadat/reference/{name}.html "
        f"(github.com/wviechtb/metadat docs/reference/{name}.html and data-raw/{name}.txt "
        f"at {METADAT_COMMIT[:7]})"
    )


def log_risk_ratio(a, n1, c, n2):
    """y = log((a/n1)/(c/n2)), v = 1/a - 1/n1 + 1/c - 1/n2 (escalc measure="RR")."""
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (a, n1, c, n2))
    return np.log((a / n1) / (c / n2)), 1 / a - 1 / n1 + 1 / c - 1 / n2


def log_rate_ratio(x1, t1, x2, t2):
    """y = log((x1/t1)/(x2/t2)), v = 1/x1 + 1/x2 (escalc measure="IRR")."""
    x1, t1, x2, t2 = (np.asarray(x, dtype=float) for x in (x1, t1, x2, t2))
    return np.log((x1 / t1) / (x2 / t2)), 1 / x1 + 1 / x2


def fisher_z(r, n):
    """y = atanh(r), v = 1/(n - 3) (escalc measure="ZCOR")."""
    r, n = np.asarray(r, dtype=float), np.asarray(n, dtype=float)
    return np.arctanh(r), 1 / (n - 3)


def mean_difference(m1, sd1, n1, m2, sd2, n2):
    """y = m1 - m2, v = sd1^2/n1 + sd2^2/n2 (escalc measure="MD")."""
    m1, sd1, n1, m2, sd2, n2 = (np.asarray(x, dtype=float) for x in (m1, sd1, n1, m2, sd2, n2))
    return m1 - m2, sd1**2 / n1 + sd2**2 / n2


def reml(yi, vi, tol: float = 1e-12, max_iter: int = 500) -> dict[str, float]:
    """REML fit of the random-effects model y_i ~ N(mu, v_i + tau^2).

    DerSimonian-Laird start, then Fisher scoring of the restricted likelihood,
    tau2 += (r'PPr - tr P) / tr PP with P = W - w w'/sum(w), step-halved to stay at or
    above 0 (as metafor's ``rma.uni`` does). ``I2`` is 100 tau2 / (tau2 + s2) with
    s2 = (k-1) / (sum w - sum w^2 / sum w), the "typical" sampling variance (returned as
    ``s2``), and ``Q`` is Cochran's Q, as metafor prints them. Iterates to a step below
    1e-12, where metafor stops at a change below 1e-5 (its ``control`` threshold).
    """
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    k = y.size
    w = 1 / v
    mu_fixed = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - mu_fixed) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - (k - 1)) / c)  # DerSimonian-Laird
    for _ in range(max_iter):
        wt = 1 / (v + tau2)
        p = np.diag(wt) - np.outer(wt, wt) / wt.sum()
        pp = p @ p
        step = float((y @ pp @ y - np.trace(p)) / np.trace(pp))
        while tau2 + step < 0:
            step /= 2
        tau2 += step
        if abs(step) < tol:
            break
    else:  # pragma: no cover - the five data sets converge in a few steps
        raise RuntimeError("REML Fisher scoring did not converge")
    wt = 1 / (v + tau2)
    s2 = (k - 1) / c
    return {
        "mu": float(np.sum(wt * y) / wt.sum()),
        "se": math.sqrt(1 / wt.sum()),
        "tau2": tau2,
        "I2": 100 * tau2 / (tau2 + s2),
        "s2": s2,
        "Q": q,
        "k": k,
    }


# --- Hart et al. (1999): no heterogeneity -------------------------------------------
# strokes x and person-years t under warfarin (1) and placebo/control (2), 6 trials
_HART = {
    "x1": [9, 8, 3, 6, 7, 20],
    "t1": [413, 263, 487, 237, 489, 507],
    "x2": [19, 19, 13, 9, 23, 50],
    "t2": [398, 245, 435, 241, 483, 405],
}
_y, _v = log_rate_ratio(_HART["x1"], _HART["t1"], _HART["x2"], _HART["t2"])
HART1999 = {
    "name": "dat.hart1999",
    "measure": "log incidence rate ratio (warfarin vs control)",
    "heterogeneity": "low (none)",
    "raw": _HART,
    "yi": _y.tolist(),
    "vi": _v.tolist(),
    "printed_yi": [-0.7842, -0.9359, -1.5793, -0.3887, -1.2019, -1.1409],
    "printed_vi": [0.1637, 0.1776, 0.4103, 0.2778, 0.1863, 0.0700],
    # "tau^2 ...: 0 (SE = 0.0987)", "I^2 ...: 0.00%", "Q(df = 5) = 2.9625",
    # "-1.0168  0.1635" and predict(res, transf=exp): pi.lb 0.2626, pi.ub 0.4984
    "published": {"mu": -1.0168, "se": 0.1635, "tau2": 0.0, "I2": 0.00, "Q": 2.9625, "k": 6},
    "digits": {"mu": 4, "se": 4, "tau2": 4, "I2": 2, "Q": 4},
    "pi": (0.2626, 0.4984),
    "pi_scale": "exp",  # printed as incidence rate ratios
    "pi_digits": 4,
    "tau_scale": 0.5,
    "source": _page("dat.hart1999"),
    "citation": "Hart, Benavente, McBride & Pearce (1999), Annals of Internal Medicine 131(7), 492-501.",
}

# --- Raudenbush (1984) / Raudenbush & Bryk (1985): moderate -------------------------
# The source gives the standardized mean differences and their variances directly
# (yi to 2 decimals, vi to 4, and sei to 3 decimals in data-raw/dat.raudenbush1985.txt).
# SMDs: a half-normal(0.5) prior on tau is weakly informative here too, since a
# between-study sd of 0.5 standard deviations is already very large heterogeneity for
# SMDs (95% of the prior mass lies below 0.98), so the default scale is kept.
RAUDENBUSH1985 = {
    "name": "dat.raudenbush1985",
    "measure": "standardized mean difference (teacher expectancy on pupil IQ)",
    "heterogeneity": "moderate",
    "raw": {
        "sei": [0.125, 0.147, 0.167, 0.373, 0.369, 0.103, 0.103, 0.220, 0.164, 0.251,
                0.302, 0.223, 0.289, 0.290, 0.159, 0.167, 0.139, 0.094, 0.174],
    },
    "yi": [0.03, 0.12, -0.14, 1.18, 0.26, -0.06, -0.02, -0.32, 0.27, 0.80,
           0.54, 0.18, -0.02, 0.23, -0.18, -0.06, 0.30, 0.07, -0.07],
    "vi": [0.0156, 0.0216, 0.0279, 0.1391, 0.1362, 0.0106, 0.0106, 0.0484, 0.0269, 0.0630,
           0.0912, 0.0497, 0.0835, 0.0841, 0.0253, 0.0279, 0.0193, 0.0088, 0.0303],
    "printed_yi": None,  # yi and vi are the source data themselves
    "printed_vi": None,
    # "tau^2 ...: 0.0188 (SE = 0.0155)", "I^2 ...: 41.86%", "Q(df = 18) = 35.8295",
    # "0.0837  0.0516"; no prediction interval printed
    "published": {"mu": 0.0837, "se": 0.0516, "tau2": 0.0188, "I2": 41.86, "Q": 35.8295, "k": 19},
    "digits": {"mu": 4, "se": 4, "tau2": 4, "I2": 2, "Q": 4},
    "pi": None,
    "pi_scale": None,
    "pi_digits": None,
    "tau_scale": 0.5,
    "source": _page("dat.raudenbush1985")
    + "; tau2 0.0188, mu 0.0837 and Q 35.8295 also in metafor's tests/testthat/"
    "test_analysis_example_raudenbush1985.r (github.com/wviechtb/metafor at 71ae8f5), checked "
    "there against Raudenbush & Bryk (1985), pp. 83-86",
    "citation": "Raudenbush (1984), J. Educational Psychology 76(1), 85-97; Raudenbush & Bryk (1985), "
    "J. Educational Statistics 10(2), 75-98.",
}

# --- Molloy et al. (2014): moderate --------------------------------------------------
# correlations r between conscientiousness and medication adherence, sample sizes n;
# analysed as Fisher's z, on which a half-normal(0.5) tau prior is weakly informative
_MOLLOY = {
    "n": [109, 749, 55, 107, 72, 65, 174, 326, 58, 771, 56, 91, 116, 537, 158, 65],
    "r": [0.187, 0.162, 0.340, 0.320, 0.270, 0.000, 0.175, 0.050,
          0.260, 0.010, -0.090, 0.370, 0.000, 0.150, 0.240, 0.040],
}
_y, _v = fisher_z(_MOLLOY["r"], _MOLLOY["n"])
MOLLOY2014 = {
    "name": "dat.molloy2014",
    "measure": "Fisher's z of the correlation (conscientiousness and medication adherence)",
    "heterogeneity": "moderate",
    "raw": _MOLLOY,
    "yi": _y.tolist(),
    "vi": _v.tolist(),
    "printed_yi": [0.1892, 0.1634, 0.3541, 0.3316, 0.2769, 0.0000, 0.1768, 0.0500,
                   0.2661, 0.0100, -0.0902, 0.3884, 0.0000, 0.1511, 0.2448, 0.0400],
    "printed_vi": [0.0094, 0.0013, 0.0192, 0.0096, 0.0145, 0.0161, 0.0058, 0.0031,
                   0.0182, 0.0013, 0.0189, 0.0114, 0.0088, 0.0019, 0.0065, 0.0161],
    # "tau^2 ...: 0.0081 (SE = 0.0055)", "I^2 ...: 61.73%", "Q(df = 15) = 38.1595",
    # "0.1499  0.0316" and predict(res, digits=3, transf=transf.ztor): pi -0.037, 0.325
    "published": {"mu": 0.1499, "se": 0.0316, "tau2": 0.0081, "I2": 61.73, "Q": 38.1595, "k": 16},
    "digits": {"mu": 4, "se": 4, "tau2": 4, "I2": 2, "Q": 4},
    "pi": (-0.037, 0.325),
    "pi_scale": "tanh",  # printed as correlations (z back-transformed)
    "pi_digits": 3,
    "tau_scale": 0.5,
    "source": _page("dat.molloy2014"),
    "citation": "Molloy, O'Carroll & Ferguson (2014), Annals of Behavioral Medicine 47(1), 92-101.",
}

# --- Colditz et al. (1994), BCG vaccine: high ----------------------------------------
# TB positive / negative among vaccinated (tpos, tneg) and controls (cpos, cneg)
_BCG = {
    "tpos": [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27],
    "tneg": [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886],
    "cpos": [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29],
    "cneg": [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825],
}
_y, _v = log_risk_ratio(
    _BCG["tpos"],
    np.add(_BCG["tpos"], _BCG["tneg"]),
    _BCG["cpos"],
    np.add(_BCG["cpos"], _BCG["cneg"]),
)
BCG = {
    "name": "dat.bcg",
    "measure": "log risk ratio of TB (vaccinated vs not)",
    "heterogeneity": "high",
    "raw": _BCG,
    "yi": _y.tolist(),
    "vi": _v.tolist(),
    "printed_yi": [-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209,
                   0.0120, -0.4694, -1.3713, -0.3394, 0.4459, -0.0173],
    "printed_vi": [0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230,
                   0.0040, 0.0564, 0.0730, 0.0124, 0.5325, 0.0714],
    # "tau^2 ...: 0.3132 (SE = 0.1664)", "I^2 ...: 92.22%", "Q(df = 12) = 152.2330",
    # "-0.7145  0.1798" and predict(res, transf=exp): pi.lb 0.1546, pi.ub 1.5490
    "published": {"mu": -0.7145, "se": 0.1798, "tau2": 0.3132, "I2": 92.22, "Q": 152.2330, "k": 13},
    "digits": {"mu": 4, "se": 4, "tau2": 4, "I2": 2, "Q": 4},
    "pi": (0.1546, 1.5490),
    "pi_scale": "exp",  # printed as risk ratios
    "pi_digits": 4,
    "tau_scale": 0.5,
    "source": _page("dat.bcg")
    + "; the same fit in metafor's https://wviechtb.github.io/metafor/reference/rma.uni.html "
    "(github.com/wviechtb/metafor docs/reference/rma.uni.html at 71ae8f5)",
    "citation": "Colditz, Brewer, Berkey, Wilson, Burdick, Fineberg & Mosteller (1994), "
    "JAMA 271(9), 698-702.",
}

# --- Normand (1999), length of hospital stay: high -----------------------------------
# mean, sd and n of the length of stay (days) under specialist (1) and routine (2) care.
# Mean differences in DAYS: a half-normal(0.5) prior on tau would say the between-study
# sd is below about one day, which is strongly informative (and wrong) on this scale.
# The within-study sds of the length of stay are 4 to 64 days, so a half-normal with
# scale 50 days (95% of the mass below 98 days) is the weakly informative choice.
_NORMAND = {
    "n1": [155, 31, 75, 18, 8, 57, 34, 110, 60],
    "m1": [55, 27, 64, 66, 14, 19, 52, 21, 30],
    "sd1": [47, 7, 17, 20, 8, 7, 45, 16, 27],
    "n2": [156, 32, 71, 18, 13, 52, 33, 183, 52],
    "m2": [75, 29, 119, 137, 18, 18, 41, 31, 23],
    "sd2": [64, 4, 29, 48, 11, 4, 34, 27, 20],
}
_y, _v = mean_difference(
    _NORMAND["m1"], _NORMAND["sd1"], _NORMAND["n1"], _NORMAND["m2"], _NORMAND["sd2"], _NORMAND["n2"]
)
NORMAND1999 = {
    "name": "dat.normand1999",
    "measure": "mean difference in length of stay, days (specialist minus routine care)",
    "heterogeneity": "high",
    "raw": _NORMAND,
    "yi": _y.tolist(),
    "vi": _v.tolist(),
    "printed_yi": [-20.0, -2.0, -55.0, -71.0, -4.0, 1.0, 11.0, -10.0, 7.0],
    "printed_vi": [40.5080, 2.0806, 15.6984, 150.2222, 17.3077, 1.1673, 94.5891, 6.3109, 19.8423],
    # "tau^2 ...: 684.6462 (SE = 359.7541)", "I^2 ...: 98.97%", "Q(df = 8) = 238.9158",
    # "-15.1060  8.9466"; no prediction interval printed for the mean differences
    "published": {"mu": -15.1060, "se": 8.9466, "tau2": 684.6462, "I2": 98.97, "Q": 238.9158, "k": 9},
    "digits": {"mu": 4, "se": 4, "tau2": 4, "I2": 2, "Q": 4},
    "pi": None,
    "pi_scale": None,
    "pi_digits": None,
    "tau_scale": 50.0,
    "source": _page("dat.normand1999"),
    "citation": "Normand (1999), Statistics in Medicine 18(3), 321-359.",
}

del _y, _v

DATASETS = [HART1999, RAUDENBUSH1985, MOLLOY2014, BCG, NORMAND1999]
