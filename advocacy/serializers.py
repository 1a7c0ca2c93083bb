from rest_framework import serializers


class NameListSerializer(serializers.Field):
    """Serialise a many-to-many relation as a list of names, for the API."""

    def to_representation(self, manager):
        return [str(item) for item in manager.all()]
