from django.contrib import admin
from django.urls import path
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
    TokenObtainPairView,
    TokenObtainSlidingView,
    TokenRefreshSlidingView,
    TokenRefreshView,
    TokenVerifyView,
)

from .views import MeView, RegisterView

# Sesame's paths (src/paths.rs).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/token/", TokenObtainPairView.as_view(), name="token_obtain_pair"),
    path("api/token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
    path("api/token/verify/", TokenVerifyView.as_view(), name="token_verify"),
    path("api/token/blacklist/", TokenBlacklistView.as_view(), name="token_blacklist"),
    path("api/token/sliding/", TokenObtainSlidingView.as_view(), name="token_obtain_sliding"),
    path(
        "api/token/sliding/refresh/",
        TokenRefreshSlidingView.as_view(),
        name="token_refresh_sliding",
    ),
    path("api/me/", MeView.as_view(), name="me"),
    path("api/register/", RegisterView.as_view(), name="register"),
]
