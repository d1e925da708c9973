# Voila's configuration for `teachkit serve` (found through JUPYTER_CONFIG_PATH, which
# teachkit.cli.serve_environment sets): the landing page lists each lesson with its
# length and learning objectives, read from the notebooks, and MathJax stays local
# (teachkit.room.page_config_hook).
from teachkit.room import page_config_hook

c = get_config()  # noqa: F821 - traitlets provides get_config in a config file
c.VoilaConfiguration.page_config_hook = page_config_hook
