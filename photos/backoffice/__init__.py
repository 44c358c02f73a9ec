"""The staff back office: reads (reports), forms, SVG charts and the admin views using them.

The admin classes in ``photos.admin`` wire these views into ``admin.site``.
"""
