"""The public API as users read it: its names and main signatures are pinned (changing
them is deliberate: update this file), every public function and method documents its
parameters and what it returns (numpydoc), and string options are checked in one place."""

from __future__ import annotations

import inspect
import re

import pytest

import copath as cp
from copath.options import choices

PUBLIC = [
    "CEACResult", "ENBSResult", "MixResult", "ceac", "enbs",
    "Calibration", "Comparison", "CopathError", "DataError", "Diagnostics", "EVPPIResult", "EVSIResult", "Evidence",
    "EvidenceEntry", "EvidenceError", "FitComparison", "FitResult", "Loo", "FitSettings", "HDI_PROB", "Link", "LinkPrior", "Node",
    "PathEffects", "Pathway", "PooledEffect", "PriorCheck", "ResultError", "Scenario", "Sensitivity", "Simulation", "SpecError",
    "__version__", "calibrate", "compare", "compare_fits", "datasets", "effective_sample_size", "evpi", "evppi", "evsi", "fit", "load_evidence", "load_pathway",
    "load_result", "loads_evidence", "loads_pathway", "pool_effects", "prior_check", "prior_for", "priors_for", "scale_value", "simulate", "study_se_for", "sweep",
]

SIGNATURES = {
    "fit": "(pathway: 'Pathway', data: 'pd.DataFrame', evidence: 'Evidence | None' = None, draws: 'int' = 1000, "
           "tune: 'int' = 1000, chains: 'int' = 4, random_seed: 'int | None' = None, sampler: 'Sampler' = 'nutpie', "
           "progressbar: 'bool' = True, prior_draws: 'int' = 500, ppc_draws: 'int' = 500, init: 'Init' = 'map', "
           "source: 'str' = '<data>', priors: 'Mapping[str, LinkPrior] | None' = None, "
           "adaptation: 'Adaptation' = 'low_rank', log_likelihood: 'LogLikelihood' = 'auto', "
           "method: 'Method' = 'nuts', advi_iterations: 'int' = 30000, collapse: 'bool' = True, "
           "target_accept: 'float | None' = None, max_treedepth: 'int' = 10, prior_scale: 'float | None' = None) -> 'FitResult'",
    "load_pathway": "(name_or_path: 'str | Path') -> 'Pathway'",
    "load_evidence": "(path: 'str | Path | None' = None, extra: 'Sequence[str | Path]' = ()) -> 'Evidence'",
    "FitResult.scenario": "(self, changes: 'Mapping[str, float | str]', areas: 'Any' = None, "
                          "name: 'str | None' = None, period: 'Any' = None) -> 'Scenario'",
    "FitResult.path_effects": "(self, source: 'str', target: 'str', delta: 'float | None' = None, "
                              "at: 'tuple[float, float] | None' = None) -> 'PathEffects'",
    "FitResult.sensitivity": "(self, threshold: 'float' = 0.05, alternatives: 'bool' = False, "
                             "scenarios: 'Sequence[Scenario]' = (), links: 'list[str] | None' = None, "
                             "tornado_method: 'TornadoMethod' = 'conditional') -> 'Sensitivity'",
    "FitResult.evppi": "(self, scenarios: 'Sequence[Scenario] | Mapping[str, Mapping[str, float | str]]', "
                       "value: 'Mapping[str, float | str | Pounds] | float', "
                       "cost: 'Mapping[str, float] | float | None' = None, "
                       "per_year: 'float | Sequence[float] | None' = None, horizon_years: 'int | None' = None, "
                       "discount_rate: 'float' = 0.0, *, price_year: 'int | None' = None, "
                       "population: 'Mapping[str, float] | None' = None, "
                       "price_index: 'Mapping[int, float] | None' = None) -> 'EVPPIResult'",
    "FitResult.evsi": "(self, link: 'str', study_se: 'float', "
                      "scenarios: 'Sequence[Scenario] | Mapping[str, Mapping[str, float | str]]', "
                      "value: 'Mapping[str, float | str | Pounds] | float', "
                      "cost: 'Mapping[str, float] | float | None' = None, "
                      "per_year: 'float | Sequence[float] | None' = None, horizon_years: 'int | None' = None, "
                      "discount_rate: 'float' = 0.0, random_seed: 'int' = 0, *, price_year: 'int | None' = None, "
                      "population: 'Mapping[str, float] | None' = None, "
                      "price_index: 'Mapping[int, float] | None' = None) -> 'EVSIResult'",
    "evsi": "(net_benefit: 'np.ndarray | pd.DataFrame', theta: 'np.ndarray | pd.Series | pd.DataFrame', "
            "study_se: 'float', per_year: 'float | Sequence[float] | None' = None, "
            "horizon_years: 'int | None' = None, discount_rate: 'float' = 0.0, chains: 'int' = 1, "
            "rng: 'np.random.Generator | int | None' = None) -> 'EVSIResult'",
    "FitResult.ceac": "(self, scenarios: 'Sequence[Scenario] | Mapping[str, Mapping[str, float | str]]', "
                      "value: 'Mapping[str, float | str | Pounds] | float', "
                      "cost: 'Mapping[str, float] | float | None' = None, "
                      "wtp: 'Sequence[float] | None' = None, per_year: 'float | Sequence[float] | None' = None, "
                      "horizon_years: 'int | None' = None, discount_rate: 'float' = 0.0, money_unit: 'str' = '', "
                      "*, price_year: 'int | None' = None, population: 'Mapping[str, float] | None' = None, "
                      "price_index: 'Mapping[int, float] | None' = None) -> 'CEACResult'",
    "FitResult.best_mix": "(self, changes: 'Mapping[str, Sequence[float]]', unit_cost: 'Mapping[str, float]', "
                          "budget: 'float', value: 'Mapping[str, float | str | Pounds] | float', "
                          "areas: 'Any' = None, period: 'Any' = None, evppi_top: 'int' = 4, money_unit: 'str' = '', "
                          "*, price_year: 'int | None' = None, population: 'Mapping[str, float] | None' = None, "
                          "price_index: 'Mapping[int, float] | None' = None) -> 'MixResult'",
    "FitResult.report": "(self, path: 'str | Path', scenarios: 'Sequence[Scenario] | None' = None, "
                        "path_effects: 'Sequence[PathEffects] | None' = None, "
                        "sensitivity: 'Sensitivity | None' = None, fmt: 'ReportFormat | None' = None, "
                        "worth: 'Sequence[pd.DataFrame] | None' = None, "
                        "decisions: 'Sequence[CEACResult | ENBSResult | MixResult] | None' = None) -> 'Path'",
    "FitResult.save": "(self, path: 'str | Path') -> 'Path'",
    "FitResult.loo": "(self, by: 'LooBy' = 'auto', k_threshold: 'float' = 0.7, max_refits: 'int' = 5) -> 'Loo'",
    "compare_fits": "(fits: 'Mapping[str, Any]', by: 'LooBy' = 'auto', k_threshold: 'float' = 0.7, "
                    "max_refits: 'int' = 5) -> 'FitComparison'",
    "PathEffects.interventional": "(self, prob: 'float' = 0.94) -> 'pd.DataFrame'",
}


def _resolve(dotted: str):
    obj = cp
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def test_the_public_names_are_pinned():
    assert sorted(cp.__all__) == sorted(PUBLIC)


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_the_main_signatures_are_pinned(name):
    assert str(inspect.signature(_resolve(name))) == SIGNATURES[name]


def _public_callables():
    """Every public function of the API (cp.datasets' too) and every public method of its
    classes and of the settings and run a result carries."""
    from copath.model.settings import FitRun

    extra = {f"datasets.{n}": getattr(cp.datasets, n) for n in cp.datasets.__all__}
    for name, obj in [*((n, getattr(cp, n)) for n in cp.__all__), *extra.items(), ("FitRun", FitRun)]:
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj) and obj.__module__.startswith("copath") and not issubclass(obj, Exception):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                func = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                if inspect.isfunction(func):
                    yield f"{name}.{attr}", func
            for base in obj.__mro__[1:]:  # methods inherited from copath's own bases (FitResult's record)
                if base.__module__.startswith("copath"):
                    for attr, member in vars(base).items():
                        if not attr.startswith("_") and inspect.isfunction(member) and attr not in vars(obj):
                            yield f"{name}.{attr}", member


@pytest.mark.parametrize(("name", "func"), list(_public_callables()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_public_function_documents_parameters_and_returns(name, func):
    doc = inspect.getdoc(func) or ""
    sig = inspect.signature(func)
    params = [p for p in sig.parameters if p not in ("self", "cls")]
    if func.__name__ == "__init__":
        return  # documented by the class
    if params:
        assert "Parameters\n----------" in doc, f"{name}: no Parameters section"
        section = re.split(r"\n(?:Returns|Raises|Yields|Example|Examples|Notes|See Also)\n", doc.split(
            "Parameters\n----------", 1)[1], maxsplit=1)[0]
        named = {n.strip().lstrip("*") for line in section.splitlines() if line and not line[0].isspace()
                 for n in line.split(":", 1)[0].split(",")}
        for p in params:
            assert p in named, f"{name}: parameter {p!r} has no entry of its own in Parameters"
    if sig.return_annotation not in (None, "None", inspect.Signature.empty):
        assert "Returns\n-------" in doc, f"{name}: no Returns section"


@pytest.mark.parametrize(
    ("call", "option"),
    [
        (lambda: cp.FitSettings(sampler="stan"), "sampler"),
        (lambda: cp.FitSettings(method="vi"), "method"),
        (lambda: cp.FitSettings(init="random"), "init"),
        (lambda: cp.FitSettings(adaptation="full"), "adaptation"),
        (lambda: cp.FitSettings(log_likelihood="some"), "log_likelihood"),
    ],
)
def test_a_bad_option_gets_one_message_naming_its_choices(call, option):
    from copath import options

    literal = {"sampler": options.Sampler, "method": options.Method, "init": options.Init,
               "adaptation": options.Adaptation, "log_likelihood": options.LogLikelihood}[option]
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value).startswith(f"{option} must be one of {', '.join(map(repr, choices(literal)))}; got ")
