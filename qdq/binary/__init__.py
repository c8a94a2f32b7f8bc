"""Binary variables: pseudo-Boolean objectives on the hypercube ``{0,1}ⁿ``.

``problem`` (:class:`BinaryProblem`), ``polynomial`` (the canonical data), ``parse`` (objective
strings), ``io`` (QUBO, Ising, dimod, model files), ``exact`` (brute force), ``instances``
(Max-Cut, SK, LABS, number partitioning), ``xy`` (one-hot groups and the XY mixer), ``tsp``
(TSP on (n−1)² bits, TSPLIB reader), ``metrics`` (what a result on bits reports).
"""
