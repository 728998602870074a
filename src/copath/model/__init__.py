"""The statistical model: data checks (:mod:`.data`), the structural equations
(:mod:`.equations`), the PyMC model (:mod:`.builder`), fitting (:mod:`.fit`), the
fitted result (:mod:`.result`), saving (:mod:`.storage`) and simulation (:mod:`.simulate`)."""
