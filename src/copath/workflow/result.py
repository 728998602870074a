"""The user-facing result: a fitted record where scenarios, sensitivity, reports and saving meet.

:class:`FitResult` is what :func:`copath.fit` and :func:`copath.load_result` return. It is
the model layer's :class:`~copath.model.record.FitRecord` (the DataTree, pathway, priors,
data, settings, link summary, diagnostics and predictive checks) with the workflow's
verbs on top: :meth:`~FitResult.scenario`, :meth:`~FitResult.path_effects`,
:meth:`~FitResult.sensitivity`, :meth:`~FitResult.with_prior`, :meth:`~FitResult.evppi`,
:meth:`~FitResult.evsi`, :meth:`~FitResult.value_in_pounds`, :meth:`~FitResult.ceac`, :meth:`~FitResult.enbs`,
:meth:`~FitResult.best_mix`, :meth:`~FitResult.loo`, :meth:`~FitResult.report` and
:meth:`~FitResult.save`. It remembers the scenarios, path effects, sensitivity and values in
pounds and decision analyses computed on it in this session (:attr:`FitResult.computed`),
and :meth:`~FitResult.report` includes them unless told otherwise.

Example
-------
``res`` is a fitted result of the toy pathway x -> c -> p -> y (see :func:`copath.fit`):

>>> sc = res.scenario({"x": "+0.2"}, name="more x")
>>> list(res.computed.scenarios)[-1] == "more x" and sc.result is res
True
>>> type(res.with_prior("x -> c", "sceptical", refit=False)).__name__
'FitResult'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from copath.datasets.values import Pounds
from copath.display import frame_html
from copath.evidence.priors import LinkPrior
from copath.model.loo import K_THRESHOLD, MAX_REFITS, Loo, loo_of, resolve_by
from copath.model.prior_check import PriorCheck, prior_check
from copath.model.record import FitRecord
from copath.model.storage import save_record
from copath.options import LooBy, ReportFormat, TornadoMethod
from copath.reports.report import write_report
from copath.scenarios.forward import Forward, forward_of
from copath.scenarios.paths import PathEffects, path_effects
from copath.scenarios.scenario import Scenario, build_scenario
from copath.sensitivity.analysis import Sensitivity, sensitivity
from copath.sensitivity.budget import MixResult
from copath.sensitivity.ceac import CEACResult
from copath.sensitivity.decisions import result_best_mix, result_ceac, result_enbs
from copath.sensitivity.enbs import ENBSResult
from copath.sensitivity.evppi import EVPPIResult
from copath.sensitivity.evsi import EVSIResult
from copath.sensitivity.pathway_check import PathwayCheck, check_pathway
from copath.sensitivity.pounds import pounds_table
from copath.sensitivity.prior_swap import with_prior
from copath.sensitivity.value import check_evsi_request, result_evppi, result_evsi

__all__ = ["FitResult", "Computed"]

#: How many scenarios and path effects :attr:`FitResult.computed` keeps (the most recent).
KEEP = 10


@dataclass
class Computed:
    """What was computed on a result in this session, most recent last: the report's default content."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    path_effects: dict[str, PathEffects] = field(default_factory=dict)
    sensitivity: Sensitivity | None = None
    #: PSIS-LOO by its settings ``(by, k_threshold, max_refits)``: exact refits are not repeated
    loo: dict[tuple, Loo] = field(default_factory=dict)
    #: scenario name -> its value in pounds a year (:meth:`FitResult.value_in_pounds`)
    worth: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: the decision analyses (:meth:`FitResult.ceac`, :meth:`FitResult.enbs`, :meth:`FitResult.best_mix`)
    #: by what they were of (``"ceac: more x"``, ``"enbs: x -> y"``, ``"best mix: budget 50000"``)
    decisions: dict[str, CEACResult | ENBSResult | MixResult] = field(default_factory=dict)

    def remember(self, store: dict[str, Any], key: str, value: Any) -> None:
        """Keep ``value`` under ``key`` as the most recent, dropping the oldest beyond :data:`KEEP`."""
        store.pop(key, None)
        store[key] = value
        while len(store) > KEEP:
            store.pop(next(iter(store)))


@dataclass(eq=False, repr=False)
class FitResult(FitRecord):
    """A fitted pathway: the :class:`~copath.model.record.FitRecord` and what you do with it.

    Attributes
    ----------
    idata : xarray.DataTree
        Posterior, sample stats, prior, predictive groups, log likelihood and log prior.
    pathway, evidence, priors, data
        The spec, the registry, every link's prior, and the data as fitted.
    settings : copath.model.settings.FitSettings
        Every argument of the fit; ``run`` what it chose and measured.
    computed : Computed
        Scenarios, path effects and sensitivity computed on it (the report's default content).
    """

    computed: Computed = field(default_factory=Computed, repr=False)

    @classmethod
    def from_record(cls, record: FitRecord) -> FitResult:
        """The result of a model-layer record (the same objects, not copies).

        Parameters
        ----------
        record
            A fitted record.

        Returns
        -------
        FitResult
        """
        if isinstance(record, cls):
            return record
        return cls(**{f.name: getattr(record, f.name) for f in fields(FitRecord)})

    @property
    def forward(self) -> Forward:
        """The structural equations over this result's posterior draws (built once, shared
        by scenarios, path effects, the sensitivity analysis and the report)."""
        return forward_of(self)

    # ----------------------------------------------------------- scenarios
    def scenario(self, changes: Mapping[str, float | str], areas: Any = None, name: str | None = None,
                 period: Any = None) -> Scenario:
        """A do-intervention carried through the fitted pathway (:mod:`copath.scenarios.scenario`).

        Parameters
        ----------
        changes
            Node -> change: a value (``0.5``), a difference (``"+0.2"``), a percentage
            (``"-10%"``) or a factor (``"x1.5"``), in the node's unit.
        areas
            Only these areas (default: all).
        name
            The scenario's name (default: from the changes).
        period
            Only these months: a whole number n, the data's last n periods counted in the
            rows' own period (12 on monthly rows is the latest year; 1 on yearly rows is),
            or a list of month labels (default: every month). Effects of time (a node's
            ``time:``) are those of each month in the period.

        Returns
        -------
        Scenario
            ``.outcomes()`` gives the table, ``.describe()`` the sentences.
        """
        sc = build_scenario(self, changes, areas=areas, name=name, period=period)
        self.computed.remember(self.computed.scenarios, sc.name, sc)
        return sc

    def path_effects(self, source: str, target: str, delta: float | None = None,
                     at: tuple[float, float] | None = None) -> PathEffects:
        """The total effect of ``source`` on ``target``, its natural direct and indirect effects
        (nested counterfactuals), the interventional indirect effect through each mediator
        and its split in proportion to link-scale path products (definitions and references
        in :mod:`copath.scenarios.paths`).

        Parameters
        ----------
        source, target
            Node names; there must be a directed path between them.
        delta
            A shift of each row's own ``source`` value, in its unit (link scale for a count or
            proportion source); default 1 when ``at`` is not given.
        at
            ``(a0, a1)``: every row's ``source`` (an exposure) set to ``a0`` against every
            row's set to ``a1``, the average-effect contrast E[Y(a1)] - E[Y(a0)].

        Returns
        -------
        PathEffects

        Raises
        ------
        ValueError
            A source value outside its declared range (as a scenario refuses it), both
            ``delta`` and ``at``, or no directed path.

        Example
        -------
        >>> res.path_effects("x", "y", at=(0.0, 1.0)).at
        (0.0, 1.0)
        """
        eff = path_effects(self, source, target, delta=delta, at=at)
        self.computed.remember(self.computed.path_effects, f"{source} -> {target}", eff)
        return eff

    def prior_check(self, draws: int = 500, threshold: float = 0.05, random_seed: int | None = 0) -> PriorCheck:
        """The prior predictive check of this fit's priors on its own data's exposures: the share
        of expected values each node's priors put outside its bounds, and the links behind it
        (:func:`copath.prior_check`).

        Parameters
        ----------
        draws
            Prior draws.
        threshold
            The largest share outside a node's bounds that passes.
        random_seed
            Seed of the draws.

        Returns
        -------
        PriorCheck
        """
        return prior_check(self.pathway, self.evidence, data=self.data, priors=self.priors, draws=draws,
                           threshold=threshold, random_seed=random_seed)

    def check_pathway(self, alpha: float = 0.05) -> PathwayCheck:
        """Test the independencies the pathway implies among the nodes with data (``pw.implications()``)
        against this fit's residuals: a score test for each omitted link, clustered by area, with
        Holm's adjustment across the list (:mod:`copath.sensitivity.pathway_check`).

        Parameters
        ----------
        alpha
            Family-wise level over the statements.

        Returns
        -------
        PathwayCheck
            ``table`` (one row per statement: association, slope, statistic, p-values, rejected)
            and ``describe()``.

        Example
        -------
        >>> res.check_pathway().describe().splitlines()[0]   # the toy's statements all condition on a count or share
        'No implied independence could be tested here.'
        """
        return check_pathway(self, alpha=alpha)

    # ------------------------------------------------------ predictive fit
    def loo(self, by: LooBy = "auto", k_threshold: float = K_THRESHOLD, max_refits: int = MAX_REFITS) -> Loo:
        """PSIS-LOO ELPD, its SE, p_loo and Pareto k per observed node and in total
        (Vehtari, Gelman & Gabry 2017; :mod:`copath.model.loo`).

        Parameters
        ----------
        by
            ``"row"`` leaves out one row, ``"area"`` all the rows of one area (its area
            effect integrated out), ``"auto"`` area when any node has area effects (its rows
            are then dependent), else row. The result says which.
        k_threshold
            Pareto k above which a unit's estimate is unreliable (0.7, Vehtari et al. 2024).
        max_refits
            Up to this many such units are refitted exactly without them; beyond it a
            warning names them and the result is marked unreliable.

        Returns
        -------
        copath.model.loo.Loo

        Raises
        ------
        copath.CopathError
            When the fit stored only per-node totals (refit with ``log_likelihood="pointwise"``).

        Example
        -------
        >>> lo = res.loo(by="row", max_refits=0)
        >>> lo.by, list(lo.table.index)[-1]
        ('row', 'total')
        """
        key = (resolve_by(self, by), float(k_threshold), int(max_refits))
        if key not in self.computed.loo:
            self.computed.loo[key] = loo_of(self, by=key[0], k_threshold=k_threshold, max_refits=max_refits)
        return self.computed.loo[key]

    # --------------------------------------------------------- sensitivity
    def sensitivity(self, threshold: float = 0.05, alternatives: bool = False, scenarios: Sequence[Scenario] = (),
                    links: list[str] | None = None, tornado_method: TornadoMethod = "conditional") -> Sensitivity:
        """Which links the conclusions hang on (:mod:`copath.sensitivity.analysis`).

        Parameters
        ----------
        threshold
            Power-scaling sensitivity that counts as sensitive.
        alternatives
            Also swap each chosen link's prior for sceptical, vague and registry ones (PSIS).
        scenarios
            Scenarios whose effects get their own importance, tornado and alternatives.
        links
            Links for the tornado and alternatives (default: the weak ones).
        tornado_method
            ``"conditional"`` or ``"fixed"``.

        Returns
        -------
        Sensitivity
        """
        sens = sensitivity(self, threshold=threshold, alternatives=alternatives, scenarios=scenarios, links=links,
                           tornado_method=tornado_method)
        self.computed.sensitivity = sens
        return sens

    def with_prior(self, link: str, prior: LinkPrior | Mapping[str, Any] | str, refit: bool = True,
                   random_seed: int = 0, progressbar: bool = False) -> FitResult:
        """This result with a new prior on ``link``, by PSIS reweighting, refitting (with
        these settings) when Pareto k is too high (:mod:`copath.sensitivity.prior_swap`).

        Parameters
        ----------
        link
            The link, e.g. ``"nw_coverage -> burglary"``.
        prior
            A LinkPrior, ``{"mu": ..., "sigma": ...}``, or ``"sceptical"``/``"vague"``/``"registry"``.
        refit
            Refit when reweighting is unreliable (else warn and mark it).
        random_seed
            Seed of the resampling.
        progressbar
            Show the refit's progress bar.

        Returns
        -------
        FitResult
            ``run.prior_swap`` says how.
        """
        return FitResult.from_record(with_prior(self, link, prior, refit=refit, random_seed=random_seed,
                                                progressbar=progressbar))

    def evppi(self, scenarios: Sequence[Scenario] | Mapping[str, Mapping[str, float | str]],
              value: Mapping[str, float | str | Pounds] | float, cost: Mapping[str, float] | float | None = None,
              per_year: float | Sequence[float] | None = None, horizon_years: int | None = None,
              discount_rate: float = 0.0, *, price_year: int | None = None,
              population: Mapping[str, float] | None = None,
              price_index: Mapping[int, float] | None = None) -> EVPPIResult:
        """Expected value of perfect information on each link for the choice between
        ``scenarios`` and no change (:mod:`copath.sensitivity.value`).

        Parameters
        ----------
        scenarios
            Scenario objects, or name -> changes (run here, and remembered for the report).
        value
            Value of one unit of improvement, per final outcome (or one number for all); or
            per node a table entry (``"home_office_2005:burglary_dwelling"``: cost per event
            of a count node; ``"green_book:wellby"``: per person-year of a 0-10 node) or
            :class:`~copath.datasets.values.Pounds`, which put the values in pounds a year
            (:mod:`copath.sensitivity.pounds`; ``cost`` then in the same unit).
        cost
            Cost per scenario (or one number for all).
        per_year, horizon_years, discount_rate
            Optional: how many times a year the same decision is taken (e.g. 43 forces, or
            one force once a year), for how many years the information stays useful, and
            the discount rate; they add ``population_evppi`` and ``population_se`` (the
            per-decision EVPPI times the discounted number of decisions,
            :func:`copath.scale_value`). The per-decision EVPPI is already
            in the units of ``value`` and ``cost``: per year of effect when those are.
        price_year, population, price_index
            With table entries: the year of the prices (default the GDP deflator's last),
            node -> people for a WELLBY entry, and your own year -> index for uprating.

        Returns
        -------
        EVPPIResult
            ``unit`` names the unit with table entries (``"GBP (2024 prices) a year"``).
        """
        return result_evppi(self, self._scenario_list(scenarios), value=value, cost=cost, per_year=per_year,
                            horizon_years=horizon_years, discount_rate=discount_rate, price_year=price_year,
                            population=population, price_index=price_index)

    def evsi(self, link: str, study_se: float,
             scenarios: Sequence[Scenario] | Mapping[str, Mapping[str, float | str]],
             value: Mapping[str, float | str | Pounds] | float, cost: Mapping[str, float] | float | None = None,
             per_year: float | Sequence[float] | None = None, horizon_years: int | None = None,
             discount_rate: float = 0.0, random_seed: int = 0, *, price_year: int | None = None,
             population: Mapping[str, float] | None = None,
             price_index: Mapping[int, float] | None = None) -> EVSIResult:
        """Expected value of sample information of a study of one link, for the choice
        between ``scenarios`` and no change (:mod:`copath.sensitivity.evsi`: the regression
        method of Strong, Oakley, Brennan and Breeze 2015, with the study's estimate
        approximated as normal).

        Parameters
        ----------
        link
            The studied link as ``res.summary()`` names it, e.g. ``"x -> y"``.
        study_se
            Standard error of the study's estimate of the link's coefficient, on the link's
            scale per unit of the parent (a log rate ratio for a count child);
            :func:`copath.sensitivity.evsi.study_se_for` turns a study size into one.
        scenarios
            Scenario objects, or name -> changes (run here, and remembered for the report).
        value
            Value of one unit of improvement, per final outcome (or one number for all).
        cost
            Cost per scenario (or one number for all).
        per_year, horizon_years, discount_rate
            Optional: decisions a year, years the information stays useful and the discount
            rate, as in :meth:`evppi`; they fill ``population_factor`` and
            ``population_evsi``.
        random_seed
            Seed of the simulated study results (results repeat for the same seed).
        price_year, population, price_index
            With table entries in ``value``: as :meth:`evppi` takes them.

        Returns
        -------
        EVSIResult
            The EVSI with its standard error and null, beside the link's EVPPI and the EVPI.

        Raises
        ------
        ValueError
            For an unknown link (naming the known ones) or a ``study_se`` that is not a
            positive number, before any scenario is run.
        """
        check_evsi_request(self, link, study_se)
        return result_evsi(self, link, study_se, self._scenario_list(scenarios), value=value, cost=cost,
                           per_year=per_year, horizon_years=horizon_years, discount_rate=discount_rate,
                           random_seed=random_seed, price_year=price_year, population=population,
                           price_index=price_index)

    def value_in_pounds(self, scenario: Scenario | str, value: Mapping[str, str | Pounds],
                        price_year: int | None = None, population: Mapping[str, float] | None = None,
                        price_index: Mapping[int, float] | None = None) -> pd.DataFrame:
        """What a scenario is worth in pounds a year, per valued node and in total, with its
        interval (:func:`copath.sensitivity.pounds.pounds_table`); remembered for the
        report's "What is it worth?".

        Parameters
        ----------
        scenario
            A scenario, or the name of one computed on this result.
        value
            Node -> table entry (``"home_office_2005:burglary_dwelling"``, ``"green_book:wellby"``)
            or :class:`~copath.datasets.values.Pounds`.
        price_year
            The year of the prices (default the last year of the GDP deflator, 2024).
        population
            Node -> people the node describes, for a WELLBY entry.
        price_index
            Year -> price index instead of the bundled GDP deflator (for years it lacks).

        Returns
        -------
        pandas.DataFrame
            Per node and ``"total"``: ``gbp_a_year``, ``hdi_low``, ``hdi_high``, ``p_gain`` and
            what they rest on; ``attrs["unit"]`` (e.g. ``"GBP (2024 prices) a year"``).

        Example
        -------
        >>> sc = res.scenario({"x": "+0.2"}, name="more x")
        >>> res.value_in_pounds(sc, {"c": "home_office_2005:burglary_dwelling"}).attrs["unit"]
        'GBP (2024 prices) a year'
        """
        if isinstance(scenario, str):
            if scenario not in self.computed.scenarios:
                raise ValueError(f"no scenario {scenario!r} computed on this result; computed: "
                                 f"{', '.join(self.computed.scenarios) or 'none'}")
            scenario = self.computed.scenarios[scenario]
        table = pounds_table(self, scenario, value, price_year=price_year, population=population,
                             price_index=price_index)
        self.computed.remember(self.computed.worth, scenario.name, table)
        return table

    def ceac(self, scenarios: Sequence[Scenario] | Mapping[str, Mapping[str, float | str]],
             value: Mapping[str, float | str | Pounds] | float, cost: Mapping[str, float] | float | None = None,
             wtp: Sequence[float] | None = None, per_year: float | Sequence[float] | None = None,
             horizon_years: int | None = None, discount_rate: float = 0.0, money_unit: str = "", *,
             price_year: int | None = None, population: Mapping[str, float] | None = None,
             price_index: Mapping[int, float] | None = None) -> CEACResult:
        """Cost-effectiveness acceptability curves of ``scenarios`` and no change over willingness to
        pay, with the EVPI across the same range (:mod:`copath.sensitivity.ceac`; Fenwick, Claxton
        and Sculpher 2001).

        Parameters
        ----------
        scenarios
            Scenario objects, or name -> changes (run here, and remembered for the report).
        value
            Weight of one unit of improvement per outcome (or one number for every final
            outcome): the non-monetised effect (``{"qol_citizens": 1.0}``: points of quality of life).
            Or per node a table entry / :class:`~copath.datasets.values.Pounds`, as :meth:`evppi`
            takes them: the effect is then the change priced in pounds a year, and willingness
            to pay is pounds paid per pound of it (1 takes the tables' values as they are).
        cost
            Cost per scenario, in money (or one number for all); with table entries, pounds a
            year at the price year.
        wtp
            Money per unit of effect to evaluate at (default: 0 to twice the largest break-even;
            with table entries 0 to at least 2, with 1 on the grid).
        per_year, horizon_years, discount_rate
            Optional population of decisions for the EVPI (:func:`copath.scale_value`).
        money_unit
            A label for the figure, e.g. ``"GBP"`` (the default with table entries).
        price_year, population, price_index
            With table entries: as :meth:`evppi` takes them.

        Returns
        -------
        CEACResult
            ``table`` (tidy: wtp, option, expected net benefit, P(best), frontier), ``evpi``,
            ``figure`` and ``describe()``; ``unit`` names the pounds with table entries.
            Remembered for the report's "What is it worth?".

        Example
        -------
        >>> c = res.ceac({"more x": {"x": "+0.2"}}, value={"c": "home_office_2005:burglary_dwelling"},
        ...              cost={"more x": 1000.0}, price_year=2024)
        >>> c.unit, "ceac: more x" in res.computed.decisions
        ('GBP (2024 prices) a year', True)
        """
        out = result_ceac(self, self._scenario_list(scenarios), value=value, cost=cost, wtp=wtp, per_year=per_year,
                          horizon_years=horizon_years, discount_rate=discount_rate, money_unit=money_unit,
                          price_year=price_year, population=population, price_index=price_index)
        self.computed.remember(self.computed.decisions, "ceac: " + ", ".join(out.options[1:]), out)
        return out

    def enbs(self, link: str, sizes: Sequence[float],
             scenarios: Sequence[Scenario] | Mapping[str, Mapping[str, float | str]],
             value: Mapping[str, float | str | Pounds] | float, cost: Mapping[str, float] | float | None = None,
             study_se: Callable[[float], float] | Sequence[float] | None = None, unit_sd: float | None = None,
             contrast: float = 1.0, design_effect: float = 1.0,
             fixed_cost: float = 0.0, cost_per_unit: float = 0.0, per_year: float | Sequence[float] = 1.0,
             horizon_years: int | None = None, discount_rate: float = 0.0, random_seed: int = 0,
             money_unit: str = "", *, price_year: int | None = None, population: Mapping[str, float] | None = None,
             price_index: Mapping[int, float] | None = None) -> ENBSResult:
        """Expected net benefit of sampling of a study of one link at each size, and the optimal
        size (:mod:`copath.sensitivity.enbs`: EVSI x population - study cost, building on
        :meth:`evsi`).

        Parameters
        ----------
        link
            The studied link as ``res.summary()`` names it, e.g. ``"x -> y"``.
        sizes
            Study sizes n to compare (all units, both arms).
        scenarios
            Scenario objects, or name -> changes (run here, and remembered for the report).
        value
            Money per unit of improvement, per outcome (or one number for every final outcome);
            or per node a table entry / :class:`~copath.datasets.values.Pounds` (pounds a year),
            as :meth:`evppi` takes them.
        cost
            Cost per scenario (or one number for all).
        study_se
            The study's standard error as a function of n (or one value per size), on the
            link's scale per unit of the parent; or instead ``unit_sd``.
        unit_sd
            A two-arm difference in means with n/2 units per arm: the outcome's sd between units
            (:func:`copath.study_se_for`).
        contrast
            The difference in the parent between the arms (with ``unit_sd``).
        design_effect
            Variance inflation of a clustered design (with ``unit_sd``).
        fixed_cost
            The study's set-up cost, in the units of ``value``.
        cost_per_unit
            The study's cost per unit of n.
        per_year, horizon_years, discount_rate
            Decisions a year the study informs, for how many years, and the discount rate.
        random_seed
            Seed of the simulated study results.
        money_unit
            A label, e.g. ``"GBP"`` (the default with table entries).
        price_year, population, price_index
            With table entries: as :meth:`evppi` takes them.

        Returns
        -------
        ENBSResult
            ``table`` per size (EVSI, population EVSI, cost, ENBS with its SE), ``optimal_n``,
            ``figure`` and ``describe()``; ``unit`` names the pounds with table entries.
            Remembered for the report's "What is it worth?".
        """
        check_evsi_request(self, link, 1.0)
        out = result_enbs(self, link, sizes, self._scenario_list(scenarios), value=value, cost=cost,
                          study_se=study_se, unit_sd=unit_sd, contrast=contrast, design_effect=design_effect,
                          fixed_cost=fixed_cost, cost_per_unit=cost_per_unit, per_year=per_year,
                          horizon_years=horizon_years, discount_rate=discount_rate, random_seed=random_seed,
                          money_unit=money_unit, price_year=price_year, population=population,
                          price_index=price_index)
        self.computed.remember(self.computed.decisions, f"enbs: {link}", out)
        return out

    def best_mix(self, changes: Mapping[str, Sequence[float]], unit_cost: Mapping[str, float], budget: float,
                 value: Mapping[str, float | str | Pounds] | float, areas: Any = None, period: Any = None,
                 evppi_top: int = 4, money_unit: str = "", *, price_year: int | None = None,
                 population: Mapping[str, float] | None = None,
                 price_index: Mapping[int, float] | None = None) -> MixResult:
        """The mix of exposure changes within ``budget`` with the highest expected net benefit: a
        grid search over each exposure's allowed changes, every mix scored on the same draws
        (:mod:`copath.sensitivity.budget`).

        Parameters
        ----------
        changes
            Exposure -> allowed changes, amounts added in its unit, e.g.
            ``{"nw_coverage": [0.05, 0.1], "foot_patrol": [1, 2]}`` (0 is always allowed).
        unit_cost
            Exposure -> cost of one unit of change over the areas changed, in money.
        budget
            The most a mix may cost; no mix above it is evaluated.
        value
            Money per unit of improvement, per outcome (or one number for every final outcome);
            or per node a table entry / :class:`~copath.datasets.values.Pounds`, as :meth:`evppi`
            takes them (net benefits in pounds a year; ``unit_cost`` and ``budget`` then too).
        areas, period
            The rows the mixes change (as :meth:`scenario`; default all).
        evppi_top
            How many of the best mixes the decision's EVPPI per link compares.
        money_unit
            A label, e.g. ``"GBP"`` (the default with table entries).
        price_year, population, price_index
            With table entries: as :meth:`evppi` takes them.

        Returns
        -------
        MixResult
            ``table`` of the mixes best first (cost, expected net benefit and HDI, P(best),
            P(beats no change)), ``best``, ``excluded``, ``evppi``, ``figure``, ``describe()``;
            ``unit`` names the pounds with table entries. Remembered for the report's
            "What is it worth?".
        """
        out = result_best_mix(self, changes, unit_cost, budget, value, areas=areas, period=period,
                              evppi_top=evppi_top, money_unit=money_unit, price_year=price_year,
                              population=population, price_index=price_index)
        self.computed.remember(self.computed.decisions, f"best mix: budget {budget:,.6g}", out)
        return out

    def _scenario_list(self, scenarios: Sequence[Scenario] | Mapping[str, Mapping[str, float | str]]
                       ) -> Sequence[Scenario]:
        """Scenarios as given, or name -> changes run here (and remembered for the report)."""
        if isinstance(scenarios, Mapping):
            return [self.scenario(changes, name=name) for name, changes in scenarios.items()]
        return scenarios

    # -------------------------------------------------------------- report
    def report(self, path: str | Path, scenarios: Sequence[Scenario] | None = None,
               path_effects: Sequence[PathEffects] | None = None, sensitivity: Sensitivity | None = None,
               fmt: ReportFormat | None = None, worth: Sequence[pd.DataFrame] | None = None,
               decisions: Sequence[CEACResult | ENBSResult | MixResult] | None = None) -> Path:
        """Write the posterior report: self-contained HTML, or Markdown when ``path`` ends in
        ``.md`` (:mod:`copath.reports`).

        Parameters
        ----------
        path
            The report file.
        scenarios, path_effects, sensitivity
            What to include; default: those computed on this result (:attr:`computed`).
        fmt
            ``"html"`` or ``"md"`` (default: from the suffix).
        worth
            Tables of :meth:`value_in_pounds` for "What is it worth?"; default those
            computed on this result (no section without any).
        decisions
            Results of :meth:`ceac`, :meth:`enbs` and :meth:`best_mix` for the same section
            (each as a table and a figure); default those computed on this result.

        Returns
        -------
        pathlib.Path
        """
        c = self.computed
        return write_report(
            self, path,
            scenarios=list(c.scenarios.values()) if scenarios is None else scenarios,
            path_effects=list(c.path_effects.values()) if path_effects is None else path_effects,
            sensitivity=c.sensitivity if sensitivity is None else sensitivity,
            fmt=fmt,
            worth=list(c.worth.values()) if worth is None else worth,
            decisions=list(c.decisions.values()) if decisions is None else decisions,
        )

    # ------------------------------------------------------------ storage
    def save(self, path: str | Path) -> Path:
        """Save to folder ``path`` atomically: netCDF, YAML and CSV, hashed, no pickle
        (:mod:`copath.model.storage`); :func:`copath.load_result` reads it back.

        Parameters
        ----------
        path
            The result folder.

        Returns
        -------
        pathlib.Path
        """
        return save_record(self, path)

    def _repr_html_(self) -> str:
        diag = self.diagnostics()
        colour = "#2e7d32" if diag.passed else "#c62828"
        cols = ["grade", "weak", "prior_mean", "post_mean", "post_hdi_low", "post_hdi_high", "contraction", "r_hat",
                "ess_bulk"]
        return (f"<div><p>{escape(repr(self))}</p>"
                f'<p style="color:{colour}">{escape(str(diag).splitlines()[0])}</p>'
                f"{frame_html(self.summary()[cols])}</div>")
