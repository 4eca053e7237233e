from django.urls import path

from . import (
    figure_views,
    meeting_views,
    network_views,
    record_views,
    referral_views,
    views,
)

app_name = "advice"

# Cases, outcomes, closing and joining (views.py)
urlpatterns = [
    # cases:start
    # cases:end
]

# Meetings and drop-in hours (meeting_views.py)
urlpatterns += [
    # meetings:start
    # meetings:end
]

# Onward referrals (referral_views.py)
urlpatterns += [
    # referrals:start
    # referrals:end
]

# A household's data, erasure, the access log and colleagues' look-up
# (record_views.py)
urlpatterns += [
    # records:start
    # records:end
]

# Figures (figure_views.py) and Udsættelsesnetværket (network_views.py)
urlpatterns += [
    # figures:start
    # figures:end
]
