"""The évaluation blueprint, which every feature's views register on."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__)
