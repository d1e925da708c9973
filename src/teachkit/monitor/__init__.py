"""Monitoring (lesson 06): a deployed model over 36 months, drift, and who notices.

Modules:

- :mod:`.timeline`: the time axis (a training year, 36 monthly intakes from one pool
  of synthetic patients), the local and vendor models;
- :mod:`.events`: the drift events and their sourced stories;
- :mod:`.calibration`: the shock's severity weight fitted to Wong et al. 2021's alerts;
- :mod:`.monitors`: PSI, KS, AUC, observed / expected and a CUSUM;
- :mod:`.run`: the 36 months with monitors and an update policy;
- :mod:`.log`: the monitoring log and incidents (EU AI Act Arts. 72-73);
- :mod:`.deployment`: the monitor stage (``"monitor"``), :class:`MonitorSettings`,
  :func:`run_monitor`, :class:`MonitorResult`;
- :mod:`.sentences`: what changed and when it was noticed.

Examples
--------
>>> from teachkit.monitor import MonitorSettings, run_monitor
>>> result = run_monitor(MonitorSettings(drift_pipeline=12, monitoring="both"))
>>> result.events()[0]["noticed"]
12
"""

from .deployment import MonitorResult, MonitorSettings, run_monitor
from .log import Incident, monitoring_log
from .monitors import Cusum, auc, ks_pvalue, observed_expected, psi, psi_false_alarm_rate

__all__ = ["Cusum", "Incident", "MonitorResult", "MonitorSettings", "auc", "ks_pvalue",
           "monitoring_log", "observed_expected", "psi", "psi_false_alarm_rate",
           "run_monitor"]
