"""Alternative execution engines for the analyses (optional extras).

``chainmap.engines.spark`` runs simulate, bottlenecks, priorities and
country SPOF/cut sets on Apache Spark (``pip install 'chainmap[spark]'``).
The core never imports an engine; an engine may import the core.
"""
