"""The "Shop staff" group: daily back-office work without superuser rights.

Staff in this group see and handle orders (refund, re-run, delete images), edit the spec
catalogue, read the credit ledger and add or correct credits (never edit or delete a ledger
line), see customers and the django-q2 queue. Permissions normally appear only after
``migrate`` finishes, so they are created here first.
"""

from django.db import migrations

GROUP = "Shop staff"
PERMISSIONS = {
    "photos": [
        "view_order",
        "change_order",
        "view_spec",
        "change_spec",
        "view_creditentry",
        "add_credits",
        "view_user",
    ],
    "django_q": ["view_ormq", "view_success", "view_failure", "view_schedule"],
}


def create_shop_staff(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True  # migration states have none
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.get(content_type__app_label=label, codename=codename)
        for label, codenames in PERMISSIONS.items()
        for codename in codenames
    )


def delete_shop_staff(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("photos", "0002_order_rerun_of_add_credits_permission"),
    ]

    operations = [migrations.RunPython(create_shop_staff, delete_shop_staff)]
