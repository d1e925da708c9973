"""Left out of the Voila server ``teachkit serve`` runs (this folder is first on the
server's ``PYTHONPATH``; teachkit's Voila config takes it off again, so no kernel sees it).

jsonschema imports ``rfc3987_syntax`` only for its "iri" format checker, which the
server never uses, and the import builds a parser: about 2.5 CPU-seconds of the server's
start-up, on the way to its first preheated kernel (issue 19). jsonschema leaves that one
checker out when the import fails (as teachkit's grading does: UNUSED_SLOW_IMPORTS in
teachkit.grading.judge).
"""

raise ImportError("rfc3987_syntax is left out of teachkit serve's Voila server "
                  "(teachkit/jupyter_data/server_path)")
