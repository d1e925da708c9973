# Voila's configuration for `teachkit serve` (found through JUPYTER_CONFIG_PATH, which
# teachkit.cli.serve_environment sets): the landing page lists each lesson with its
# length and learning objectives, read from the notebooks, and MathJax stays local
# (teachkit.room.page_config_hook); the lesson pages' JavaScript is served cacheable
# and the landing page fetches it ahead (teachkit.page_assets).
import os

from teachkit.cli import drop_server_path
from teachkit.page_assets import page_config_hook

c = get_config()  # noqa: F821 - traitlets provides get_config in a config file
c.VoilaConfiguration.page_config_hook = page_config_hook
# The server's own module path (teachkit.cli.SERVER_PATH: imports it never uses, left
# out) comes off the environment here, before any kernel starts or inherits it.
drop_server_path(os.environ)
try:
    from voila.app import Voila

    from teachkit.page_assets import install as _cache_page_assets

    _cache_page_assets(Voila)
except Exception as exc:  # noqa: BLE001 - the lessons must still be served
    import sys

    print(f"teachkit: lesson pages' JavaScript is not cached: {exc!r}", file=sys.stderr)
# The room's token comes in the environment, never on a command line, and leaves it
# here, so the kernels Voila starts do not inherit it.
if os.environ.get("TEACHKIT_VOILA_TOKEN"):
    c.Voila.token = os.environ.pop("TEACHKIT_VOILA_TOKEN")
# On a busy machine a cell's outputs can reach Voila's executor long after the cell's
# reply (ipykernel sends them from its IOPub thread, which waits for CPU); past
# nbclient's 4 s the executor drops them and a preheated page renders without its app.
# Measured at load 40-70 on 2 cores: with 4 s, none of lessons 00, 01, 08 rendered from
# forked kernels (17 timeouts logged) and 2 of 3 from ordinary ones (7); with 30 s all of
# 00-08 rendered forked at load 30, but two refills executed at load 60 still lost
# their apps (a kernel idle 11 min in the pool rendered fine: not idleness). A late
# output only delays a preheat, never a trainee's levers, so Voila waits 2 minutes.
c.VoilaExecutor.iopub_timeout = 120
# The facilitator's view (teachkit.facilitator): its key leaves the environment here
# too, before any kernel starts, so no trainee's kernel can read it. A failure here must
# not stop the lessons (nor lose the token above): it is reported, the view is off.
_instructor = os.environ.pop("TEACHKIT_INSTRUCTOR_TOKEN", "")
if _instructor:
    try:
        from voila.app import Voila

        from teachkit.facilitator import install
        from teachkit.reflections import default_data_dir

        install(Voila, key=_instructor, data_dir=default_data_dir())
    except Exception as exc:  # noqa: BLE001 - the lessons must still be served
        import sys

        print(f"teachkit: the facilitator's view is off: {exc!r}", file=sys.stderr)
