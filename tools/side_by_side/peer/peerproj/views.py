from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import lazy
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.field_mapping import get_unique_error_message
from rest_framework.validators import UniqueValidator
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

User = get_user_model()


def user_body(user):
    """Sesame's `UserBody` (src/http/simplejwt/me.rs): what /api/me/ and /api/register/ answer."""
    iso = serializers.DateTimeField().to_representation
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email or None,
        "phone": None,
        "name": user.get_full_name() or user.username,
        "avatar": None,
        "roles": [],
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login) if user.last_login else None,
    }


class MeView(APIView):
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(user_body(request.user))


class RegisterSerializer(serializers.ModelSerializer):
    """The usual DRF registration serializer over `auth.User`, with the rules Sesame applies:
    email unique (as a custom user model with `unique=True` would make it, with DRF's message for
    it) and Django's AUTH_PASSWORD_VALIDATORS against the username and email."""

    password = serializers.CharField(write_only=True)
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        max_length=254,
        validators=[
            UniqueValidator(
                queryset=User.objects.all(),
                # Lazy: worded in the request's language, as DRF's own unique message is.
                message=lazy(lambda: get_unique_error_message(User._meta.get_field("email")), str)(),
            )
        ],
    )

    class Meta:
        model = User
        fields = ["username", "password", "email"]

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs.get("email", ""))
        try:
            validate_password(attrs["password"], candidate)
        except DjangoValidationError as err:
            raise serializers.ValidationError({"password": list(err.messages)})
        return attrs

    def create(self, validated_data):
        return User.objects.create_user(**validated_data)

    def to_representation(self, instance):
        return user_body(instance)


class RegisterView(generics.CreateAPIView):
    """Anyone may register; an Authorization header is not looked at (as in Sesame)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = RegisterSerializer
