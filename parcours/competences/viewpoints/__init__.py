"""The territory's viewpoints: the binôme's consensus and the coach's appréciation."""
