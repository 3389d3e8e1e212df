"""Notifications (通知): an inbox per department. The deadline sweep writes warnings, overdue
notices and escalations here (one row per event, with a unique key, so a job run twice writes
each once); people read them with ``myNotifications`` and mark them read. No e-mail or SMS yet.
"""
