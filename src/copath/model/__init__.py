"""The statistical model: data checks (:mod:`.data`), the structural equations
(:mod:`.equations`), the PyMC model (:mod:`.builder`, collapsed in :mod:`.compact`), the
MAP start and the samplers (:mod:`.init`, :mod:`.nutpie_compile`, :mod:`.numpyro_sample`,
:mod:`.sampling`), fitting (:mod:`.fit`, options in :mod:`.settings`), the fitted record
(:mod:`.record`, :mod:`.diagnostics`, :mod:`.loglik`), its predictive comparison
(:mod:`.loo`, :mod:`.loo_compare`), saving (:mod:`.storage`) and simulation (:mod:`.simulate`). Nothing here imports the workflow above it."""
