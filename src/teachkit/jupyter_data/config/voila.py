# Voila's configuration for `teachkit serve` (found through JUPYTER_CONFIG_PATH, which
# teachkit.cli.serve_environment sets): the landing page lists each lesson with its
# length and learning objectives, read from the notebooks, and MathJax stays local
# (teachkit.room.page_config_hook).
import os

from teachkit.room import page_config_hook

c = get_config()  # noqa: F821 - traitlets provides get_config in a config file
c.VoilaConfiguration.page_config_hook = page_config_hook
# The room's token comes in the environment, never on a command line, and leaves it
# here, so the kernels Voila starts do not inherit it.
if os.environ.get("TEACHKIT_VOILA_TOKEN"):
    c.Voila.token = os.environ.pop("TEACHKIT_VOILA_TOKEN")
