"""The executable spec model: profiles that turn a stimulus trace into expectations, and the checker.

Never imports ``harness.virtual``: the model and the reference SDK are independent implementations.
"""
