r"""What a child's data can tell about a link's coefficient before the fit: its Fisher information,
split into the part from change within areas and the part from the areas' differences.

A link's parent enters its child through an input :math:`x_i` over the child's observed rows.
With :math:`w_i` the child's information per row about its linear predictor (a count's
expected count, Poisson's information, which overstates a negative binomial's
:math:`\mu/(1 + \mu/\phi)` by the dispersion the fit has not yet estimated; a proportion's
:math:`n_i p_a (1 - p_a)`, each at its area's observed level; a continuous child's
:math:`1/s_y^2`, with :math:`s_y` its observed sd, an upper bound on its residual sd), the
information about the coefficient is, for a child without area effects,
:math:`I = \sum_i w_i (x_i - \bar x_w)^2`. For a child with random area intercepts of sd
:math:`\tau` it splits in two (generalised least squares for a random-intercept model,
Snijders and Bosker 2012, *Multilevel Analysis*, 2nd ed., sect. 4.6; the Mundlak 1978
between/within split):

.. math::

    I = \underbrace{\sum_i w_i (x_i - \bar x_{a(i)})^2}_{\text{within areas}}
      + \underbrace{\sum_a v_a (\bar x_a - \bar x_v)^2}_{\text{between areas}},
    \qquad v_a = \frac{I_a}{1 + \tau^2 I_a},\ I_a = \sum_{i \in a} w_i .

Departures from the area means count in full; an area's mean counts only against the area's
own unknown level, so a parent that varies only between areas, with areas whose own data pin
their level (:math:`\tau^2 I_a \gg 1`), informs the slope about as much as
:math:`\sum_a (\bar x_a - \bar x)^2 / \tau^2`: its areas, not its rows.

The area spread :math:`\tau` is *estimated* from the child's data (:func:`area_spread`), not
assumed: the areas' pooled levels :math:`r_a` on the link scale (a count's
:math:`\log((\sum y + 0.5)/\sum \text{size})`, a proportion's logit, a continuous node's
mean), with sampling variances :math:`s_a = 1/I_a`, are regressed by least squares on an
intercept and the area means of the child's parents whose values the data give; the
unweighted method-of-moments estimate of the residual heterogeneity (Hedges' estimator, the
``method="HE"`` of metafor's ``rma.uni``, https://wviechtb.github.io/metafor/reference/rma.uni.html,
applied to the areas as "studies") is

.. math::

    \hat\tau^2 = \frac{\mathrm{RSS} - \sum_a s_a (1 - h_a)}{G - p},

with :math:`h_a` the hat values, :math:`G` the areas with data and :math:`p` the regression's
columns. The estimate of :math:`\tau^2` is floored at its standard error when there is no
heterogeneity, :math:`\sqrt{2\,\operatorname{tr}((PV)^2)}/(G - p)` with :math:`P` the residual
projection and :math:`V = \operatorname{diag}(s_a)` (the variance the data cannot rule out;
metafor truncates at 0 instead, which would read areas whose data barely pin their levels as
having none), and falls back to
the area sd prior's median, :data:`AREA_SD_TYPICAL` times :data:`AREA_SD_SCALE`, with fewer
than three areas beyond :math:`p`. Poisson sampling variances understate a negative binomial
child's, so :math:`\hat\tau` then errs high (and the between part low). Assuming the prior's
median instead had the between-area expected contraction err high (``benchmarks/results.md``,
bench_identification 2026-12-08 00:06: 0.76 expected against a median narrowing of 0.52)
because the simulated areas' true spreads ran from 0.13 to 0.75 around the assumed 0.34; with
the estimate, 0.75 against 0.73 (00:17).

Other parents whose input the data give are partialled out (:func:`random_intercept_information`:
the Schur complement of the information matrix), so a parent that moves with another is credited
only with what it adds.

The expected contraction (:func:`expected_contraction`) of a prior of sd :math:`\sigma_0` is
:math:`I\sigma_0^2 / (1 + I\sigma_0^2)`: the share of its variance a normal likelihood of that
information removes. It is an estimate, not a bound (the area spread's own uncertainty and the
child's time effects, not partialled out, take information away). :func:`assess` holds it to a
cut between :data:`WEAK_CONTRACTION` and :data:`BETWEEN_CONTRACTION` by where the information
comes from; :mod:`copath.model.identification` labels links by it, and
:mod:`copath.model.autoscale` keeps the unit default prior for the links it calls weak.

Example
-------
>>> import numpy as np
>>> w = np.full(240, 5.0); area = np.repeat(np.arange(10), 24)
>>> x = np.repeat(np.linspace(0, 1, 10), 24)            # varies only between the 10 areas
>>> info = random_intercept_information(w, x, area, 10, tau=0.34)
>>> round(float(w @ (x - x.mean()) ** 2)), round(info.within, 6), round(info.between, 1)
(122, 0.0, 8.2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copath.model.data import PreparedData
from copath.model.within import area_mean_name, area_means
from copath.spec.pathway import Pathway

__all__ = ["AREA_SD_SCALE", "AREA_SD_TYPICAL", "WEAK_CONTRACTION", "BETWEEN_CONTRACTION", "Information",
           "Assessment", "assess", "row_weights", "area_spread", "parent_given", "given_inputs",
           "random_intercept_information", "link_information", "expected_contraction"]

#: The half-normal scale of an area effect's sd, in the node's own scale (:meth:`NodeKind.unit_scale`).
AREA_SD_SCALE = 0.5
#: The area spread the information assumes before the fit, as a multiple of :data:`AREA_SD_SCALE`:
#: the median of a half-normal, 0.674 of its scale.
AREA_SD_TYPICAL = 0.674
#: Below this expected contraction, a link informed by change within areas (or without area
#: effects) is "weak local data" (:mod:`copath.model.identification`), and a default prior keeps
#: its unit scale (:mod:`copath.model.autoscale`).
WEAK_CONTRACTION = 0.1
#: The same for a link informed only by the areas' differences (issue 30 item 4); a link informed
#: by both is held to the mix of the two in proportion to where its information comes from
#: (:func:`assess`).
BETWEEN_CONTRACTION = 0.5


@dataclass(frozen=True)
class Information:
    """A link's Fisher information about its coefficient: the part from change within areas and
    the part from the areas' differences (``between`` is 0 for a child without area effects, whose
    whole information is in ``within``)."""

    within: float
    between: float

    @property
    def total(self) -> float:
        """Both parts."""
        return self.within + self.between


def parent_given(pathway: Pathway, data: PreparedData, parent: str) -> bool:
    """Whether the data give ``parent``'s input to its children: an exposure in the data, or a
    continuous node with data (a count or proportion passes on its linear predictor, which before
    the fit is known only at parameter draws)."""
    kind = pathway.nodes[parent].node_kind
    if not kind.endogenous:
        return parent in data.values
    return kind.passes_value and data.observed[parent].size > 0


def natural_unit(pathway: Pathway, data: PreparedData, parent: str) -> bool:
    """Whether ``parent``'s unit means something a prior per unit can speak of: a declared
    ``range:`` (a share, a 0-10 score), or two values in the data (an indicator). Elsewhere the
    unit is the user's choice (a count logged, a sum in pounds or in thousands), and only the
    data's spread gives the coefficient a scale (rstanarm's autoscaling is unit-invariant; a
    fixed N(0, 1) per unit is not): :func:`copath.model.identification` then measures the weak
    label against the data-scaled prior, and :func:`copath.model.autoscale.autoscale_priors`
    never keeps the unit default for it.

    Example
    -------
    >>> import copath as cp
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  s: {kind: exposure, range: [0, 1]}\\n  x: {kind: exposure}\\n"
    ...     "  y: {kind: count}\\nlinks:\\n  - {from: s, to: y}\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
    >>> from copath.model.data import prepare_data
    >>> sim = cp.simulate(pw, areas=5, months=2, random_seed=0)
    >>> prepared = prepare_data(pw, sim.data)
    >>> natural_unit(pw, prepared, "s"), natural_unit(pw, prepared, "x")
    (True, False)
    """
    if pathway.nodes[parent].range is not None:
        return True
    values = data.values.get(parent)
    if values is None:
        return False
    v = np.asarray(values, dtype=float)
    return np.unique(v[np.isfinite(v)]).size == 2


def given_inputs(pathway: Pathway, data: PreparedData, child: str) -> dict[str, np.ndarray]:
    """The inputs into ``child`` that the data give, over all rows: link name -> the parent's
    values (a ``within: true`` link's departure from its area mean), and for each ``within: true``
    parent its area means (keyed by :func:`copath.model.within.area_mean_name`).

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    child
        An endogenous node.

    Returns
    -------
    dict[str, numpy.ndarray]
    """
    out: dict[str, np.ndarray] = {}
    for parent in pathway.parents(child):
        if not parent_given(pathway, data, parent):
            continue
        link = f"{parent} -> {child}"
        x = np.asarray(data.values[parent], dtype=float)
        if link in pathway.within_links:
            means = area_means(x, data.area_index, len(data.areas))[data.area_index]
            out[link] = x - means
            out[area_mean_name(parent)] = means
        else:
            out[link] = x
    return out


def row_weights(pathway: Pathway, data: PreparedData, child: str) -> np.ndarray | None:
    """The child's information per observed row about its linear predictor (module docstring),
    each row at its area's observed level; None for a child observed only as aggregates.

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    child
        An endogenous node with data.

    Returns
    -------
    numpy.ndarray or None
        One weight per row of ``data.observed[child]``.
    """
    node = pathway.nodes[child]
    kind = node.node_kind
    rows = data.observed[child]
    if child in data.aggregated:
        return None
    if kind.passes_value:  # normal: 1 / sigma^2, sigma at most the observed sd
        y = np.asarray(data.values[child], dtype=float)[rows]
        var = float(np.var(y, ddof=1)) if y.size > 1 else 0.0
        return np.full(rows.shape, 1.0 / var) if var > 0 else None
    size = np.broadcast_to(np.asarray(kind.size(node, data.values, rows), dtype=float), rows.shape)
    area = data.area_index[rows]
    n_areas = len(data.areas)
    events = np.bincount(area, weights=data.values[child][rows], minlength=n_areas)
    exposure = np.bincount(area, weights=size, minlength=n_areas)
    if kind.odds_scale:
        share = ((events + 0.5) / (exposure + 1.0))[area]
        return size * share * (1.0 - share)
    return size * ((events + 0.5) / np.maximum(exposure, 1e-12))[area]


def area_spread(pathway: Pathway, data: PreparedData, child: str, w: np.ndarray | None = None) -> float:
    """The sd of ``child``'s area effects, estimated from its data before the fit (module docstring).

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    child
        An endogenous node with data.
    w
        Its information per row (:func:`row_weights`; computed when None).

    Returns
    -------
    float
        :math:`\\hat\\tau`, on the child's link scale.

    Example
    -------
    >>> import copath as cp
    >>> from copath.model.data import prepare_data
    >>> pw = cp.loads_pathway("name: t\\nnodes:\\n  x: {kind: exposure}\\n"
    ...     "  y: {kind: count, baseline: 20, area_effects: true}\\nlinks:\\n  - {from: x, to: y}\\noutcomes: [y]\\n")
    >>> sim = cp.simulate(pw, areas=60, months=12, random_seed=3)
    >>> round(sim.truth["area_sd"]["y"], 2), round(area_spread(pw, prepare_data(pw, sim.data), "y"), 2)
    (0.21, 0.23)
    """
    node = pathway.nodes[child]
    kind = node.node_kind
    fallback = AREA_SD_TYPICAL * AREA_SD_SCALE * kind.unit_scale(node)
    w = row_weights(pathway, data, child) if w is None else w
    rows = data.observed[child]
    if w is None or rows.size == 0:
        return fallback
    area = data.area_index[rows]
    n_areas = len(data.areas)
    info = np.bincount(area, weights=w, minlength=n_areas)
    present = info > 0
    y = np.asarray(data.values[child], dtype=float)[rows]
    if kind.passes_value:
        counts = np.bincount(area, minlength=n_areas)
        level = np.bincount(area, weights=y, minlength=n_areas)[present] / counts[present]
    else:
        size = np.broadcast_to(np.asarray(kind.size(node, data.values, rows), dtype=float), rows.shape)
        events = np.bincount(area, weights=y, minlength=n_areas)[present]
        exposure = np.bincount(area, weights=size, minlength=n_areas)[present]
        level = np.array([kind.pooled_level(float(t), float(n)) for t, n in zip(events, exposure, strict=True)])
    columns = [np.ones(int(present.sum()))]
    for parent in pathway.parents(child):
        if not parent_given(pathway, data, parent):
            continue
        x = np.asarray(data.values[parent], dtype=float)[rows]
        keep = np.isfinite(x)
        sums = np.bincount(area[keep], weights=x[keep], minlength=n_areas)
        counts = np.bincount(area[keep], minlength=n_areas)
        mean = np.divide(sums, counts, out=np.full(n_areas, np.nan), where=counts > 0)[present]
        if np.all(np.isfinite(mean)) and np.ptp(mean) > 0:
            columns.append(mean)
    design = np.column_stack(columns)
    g, p = design.shape[0], np.linalg.matrix_rank(design)
    if g - p < 3:
        return fallback
    sampling = 1.0 / info[present]
    pinv = np.linalg.pinv(design)
    hat = np.einsum("ij,ji->i", design, pinv)
    residual = level - design @ (pinv @ level)
    tau2 = (float(residual @ residual) - float(sampling @ (1.0 - hat))) / (g - p)
    # tr((PV)^2), P = I - H, V = diag(s), without forming G x G matrices
    qvx = (pinv * sampling) @ design
    trace = float(sampling @ sampling) - 2.0 * float((sampling**2) @ hat) + float(np.trace(qvx @ qvx))
    floor = np.sqrt(2.0 * max(trace, 0.0)) / (g - p)
    return float(np.sqrt(max(tau2, floor)))


def _schur(m: np.ndarray) -> float:
    """The information about the first coefficient once the others are estimated too: the Schur
    complement :math:`M_{00} - M_{0o} M_{oo}^{+} M_{o0}` (a pseudo-inverse where the others are collinear)."""
    if m.shape[0] == 1:
        return float(m[0, 0])
    return float(m[0, 0] - m[0, 1:] @ np.linalg.pinv(m[1:, 1:]) @ m[1:, 0])


def random_intercept_information(w: np.ndarray, x: np.ndarray, area: np.ndarray, n_areas: int,
                                 tau: float, others: np.ndarray | None = None) -> Information:
    r"""The information about a slope when the child has a random area intercept of sd ``tau``,
    within areas and between them (module docstring), after partialling out ``others``.

    With the input and the other parents' inputs as the columns of :math:`X`, the random-intercept
    model's information matrix is :math:`W + B`, :math:`W = \sum_i w_i (X_i - \bar X_{a(i)})^\top
    (X_i - \bar X_{a(i)})` from change within areas and :math:`B = \sum_a v_a (\bar X_a - \bar X_v)^\top
    (\bar X_a - \bar X_v)` from the areas' means. The slope's information with the other coefficients
    estimated too is the Schur complement :math:`S(W + B)` of its entry; the within part is
    :math:`S(W)` and the between part the rest.

    Parameters
    ----------
    w
        The child's information per row.
    x
        The parent's input per row.
    area
        Each row's area position.
    n_areas
        The number of areas.
    tau
        The area intercepts' sd.
    others
        The other parents' inputs (rows x k) to partial out, or None.

    Returns
    -------
    Information
    """
    columns = np.column_stack([x] if others is None or others.size == 0 else [x, others])
    size = np.bincount(area, weights=w, minlength=n_areas)
    present = size > 0
    means = np.zeros((n_areas, columns.shape[1]))
    for j in range(columns.shape[1]):
        means[present, j] = np.bincount(area, weights=w * columns[:, j], minlength=n_areas)[present] / size[present]
    dev = columns - means[area]
    within = (dev * w[:, None]).T @ dev
    v = np.where(present, size / (1.0 + tau**2 * size), 0.0)
    between_dev = means - (v @ means) / float(v.sum())
    between = (between_dev * v[:, None]).T @ between_dev
    inside = max(_schur(within), 0.0)
    return Information(inside, max(_schur(within + between) - inside, 0.0))


def link_information(pathway: Pathway, data: PreparedData, child: str, inputs: np.ndarray,
                     others: np.ndarray | None = None) -> Information | None:
    """The information ``child``'s data give about a link whose parent's input over the child's
    observed rows is ``inputs``, after partialling out the other parents' inputs ``others``
    (module docstring); None where the child's information per row is not known (observed only as
    aggregates).

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    child
        The link's child (a node with data).
    inputs
        The parent's input on the child's observed rows.
    others
        The child's other parents' inputs on those rows (rows x k), whose coefficients the data
        must tell apart from this one; None for none.

    Returns
    -------
    Information or None
    """
    w_all = row_weights(pathway, data, child)
    if w_all is None:
        return None
    w = w_all
    node = pathway.nodes[child]
    inputs = np.asarray(inputs, dtype=float)
    others = None if others is None else np.asarray(others, dtype=float).reshape(inputs.size, -1)
    keep = np.isfinite(inputs) if others is None else np.isfinite(inputs) & np.isfinite(others).all(axis=1)
    w, x, area = w[keep], inputs[keep], data.area_index[data.observed[child]][keep]
    others = None if others is None else others[keep]
    if float(w.sum()) <= 0:
        return Information(0.0, 0.0)
    if node.area_effects:
        tau = area_spread(pathway, data, child, w_all)
        return random_intercept_information(w, x, area, len(data.areas), tau, others)
    # without area effects: one "area" holding every row, all of it within
    return random_intercept_information(w, x, np.zeros(x.size, dtype=int), 1, 0.0, others)


def expected_contraction(pathway: Pathway, data: PreparedData, child: str, inputs: np.ndarray,
                         prior_sd: float, others: np.ndarray | None = None) -> float | None:
    r"""An estimate of how much ``child``'s data can narrow the variance of a prior of sd
    ``prior_sd`` on a link whose parent's input over the child's observed rows is ``inputs``:
    :math:`I\sigma_0^2 / (1 + I\sigma_0^2)` (module docstring); None for a child whose information
    per row is not known before the fit (continuous, whose residual sd the fit estimates, or
    observed only as aggregates).

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    child
        The link's child (a node with data).
    inputs
        The parent's input on the child's observed rows.
    prior_sd
        The prior sd :math:`\sigma_0`.
    others
        The child's other parents' inputs on those rows (rows x k) to partial out, or None.

    Returns
    -------
    float or None

    Example
    -------
    >>> import copath as cp
    >>> from copath.model.data import prepare_data
    >>> pw = cp.loads_pathway("name: t\nnodes:\n  x: {kind: exposure}\n  y: {kind: count}\n"
    ...                       "links:\n  - {from: x, to: y}\noutcomes: [y]\n")
    >>> sim = cp.simulate(pw, areas=10, months=4, random_seed=0)
    >>> prepared = prepare_data(pw, sim.data)
    >>> x = prepared.values["x"]
    >>> round(expected_contraction(pw, prepared, "y", x, 1.0), 3) > 0.9
    True
    >>> round(expected_contraction(pw, prepared, "y", 0.3 + 1e-4 * (x - x.mean()), 1.0), 3) < 0.1
    True
    """
    if pathway.nodes[child].node_kind.passes_value:
        return None
    info = link_information(pathway, data, child, inputs, others)
    if info is None:
        return None
    return _contraction(info.total, prior_sd)


def _contraction(information: float, prior_sd: float) -> float:
    """The share of a normal prior's variance that a normal likelihood of this information removes."""
    return information * prior_sd**2 / (1.0 + information * prior_sd**2)


@dataclass(frozen=True)
class Assessment:
    """What a link's data can tell before the fit (:func:`assess`): the expected contraction of a
    prior of sd ``prior_sd``, the cut it is held to, its information with the other parents
    partialled out (``info``) and without (``alone``), and the parent's sd over the child's rows."""

    link: str
    prior_sd: float
    contraction: float
    cut: float
    info: Information
    alone: Information
    spread: float

    @property
    def weak(self) -> bool:
        """The data can be expected to narrow the prior by less than the cut."""
        return self.contraction < self.cut

    @property
    def between_share(self) -> float:
        """The share of the information that comes from the areas' differences."""
        return self.info.between / self.info.total if self.info.total > 0 else 0.0

    def reason(self, whose: str = "this link's prior variance") -> str:
        """Why the link is weak, in words (for the identification label and the prior's rule)."""
        source, target = self.link.split(" -> ")
        narrow = f"the data can be expected to narrow {whose} by about {self.contraction:.0%}"
        ask = f"below the {self.cut:.0%} asked"
        if self.alone.total > 2.0 * self.info.total:
            return (f"{source} moves with {target}'s other parents: once they are allowed for, {narrow} (Fisher "
                    f"information, {self.info.total / self.alone.total:.0%} of what {source} would give alone), {ask}; "
                    "read it as mostly its prior")
        if self.between_share > 0.5:
            return (f"{source} varies mostly between areas ({self.between_share:.0%} of the information about this "
                    f"link comes from the areas' differences), and {target}'s own area levels absorb most of that: "
                    f"{narrow} (the random-intercept model's Fisher information, with {target}'s area spread "
                    f"estimated from its data), {ask} of a link informed that much by areas' differences; read it as "
                    "mostly its prior")
        return (f"{source} varies so little over the rows with data on {target} (sd {self.spread:.3g}) that {narrow} "
                f"(Fisher information), {ask}: read it as its prior")


def assess(pathway: Pathway, data: PreparedData, link: str, prior_sd: float) -> Assessment | None:
    r"""How much ``link``'s child's data can narrow a prior of sd ``prior_sd`` on it, and the cut
    that calls it weak; None where that is not known before the fit (a parent whose input the data
    do not give, a child without row data or a continuous child, whose residual sd the fit estimates).

    The cut is :data:`WEAK_CONTRACTION` for information from change within areas and
    :data:`BETWEEN_CONTRACTION` for information from the areas' differences, mixed in proportion
    to the two parts (:math:`0.1 + 0.4 \times` the between share): the more a link rests on the
    contrast that unmeasured differences between areas confound, the more it is asked, with no
    cliff between a parent constant within areas and one that varies by a hair.

    Parameters
    ----------
    pathway, data
        The pathway and its prepared data.
    link
        A link's name.
    prior_sd
        The sd of the prior to measure against.

    Returns
    -------
    Assessment or None
    """
    source, target = link.split(" -> ")
    rows = data.observed.get(target)
    if rows is None or rows.size == 0 or not parent_given(pathway, data, source):
        return None
    inputs = given_inputs(pathway, data, target)
    x = inputs.pop(link)[rows]
    others = np.column_stack([v[rows] for v in inputs.values()]) if inputs else None
    if pathway.nodes[target].node_kind.passes_value:  # a continuous child: its residual sd is the fit's
        return None
    info = link_information(pathway, data, target, x, others)
    if info is None:
        return None
    alone = info if others is None else link_information(pathway, data, target, x) or info
    share = info.between / info.total if info.total > 0 else 0.0
    cut = WEAK_CONTRACTION + (BETWEEN_CONTRACTION - WEAK_CONTRACTION) * share
    return Assessment(link, prior_sd, _contraction(info.total, prior_sd), cut, info, alone, float(np.nanstd(x)))
