"""Storefront views: the catalogue, the studio (upload, options, preview), orders, accounts.

Views parse input with forms, call one service and render; they never call the HTTP API.
"""
