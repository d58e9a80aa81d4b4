"""The app's screens and dialogs (kept empty: each screen is imported when first opened)."""
