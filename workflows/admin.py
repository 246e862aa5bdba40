from django.contrib import admin

from workflows.models import Reminder, TransitionLog


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["rule", "state", "due_at", "status", "recipient", "attempts", "sent_at"]
    list_filter = ["status", "rule"]
    list_select_related = ["recipient"]


@admin.register(TransitionLog)
class TransitionLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "process", "transition", "source", "target", "actor"]
    list_filter = ["process", "transition"]
    list_select_related = ["actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
