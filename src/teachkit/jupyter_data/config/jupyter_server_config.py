# Jupyter Server's configuration for teachkit's lessons in a Jupyter server (a trainee's
# server under JupyterHub, JupyterLab on Binder), found through JUPYTER_CONFIG_PATH:
# Voila as a server extension with teachkit's template (no CDN requests), sources and
# tracebacks hidden, and the landing page at <server>/voila/tree listing the lessons
# with their length and objectives (teachkit.room.page_config_hook).
from teachkit.room import page_config_hook

c = get_config()  # noqa: F821 - traitlets provides get_config in a config file
c.VoilaConfiguration.template = "teachkit"
c.VoilaConfiguration.strip_sources = True
c.VoilaConfiguration.show_tracebacks = False
c.VoilaConfiguration.page_config_hook = page_config_hook
# The ipc transport avoids the kernel-port race; idle kernels (a closed tab) are culled
# after two hours.
c.KernelManager.transport = "ipc"
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_idle_timeout = 7200
