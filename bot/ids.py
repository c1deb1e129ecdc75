"""Every action_id, callback_id and block_id Cercle uses, defined once."""

from __future__ import annotations

from enum import StrEnum

SLASH_COMMAND = "/cercle"
OUTBOX_METADATA_EVENT = "cercle_outbox"


class Action(StrEnum):
    """Interactive element ids (buttons, selects)."""

    CHARTER_READ = "charter_read"
    CHARTER_ACCEPT = "charter_accept"
    CHARTER_NOT_NOW = "charter_not_now"
    CLAIM_NEWCOMER = "claim_newcomer"
    CHARTER_EXPORT = "charter_export"
    TOOLBOX_OPEN = "toolbox_open"
    TOOLBOX_BROWSE = "toolbox_browse"
    TOOLBOX_EDIT = "toolbox_edit"
    TOOLBOX_PAGE_PREVIOUS = "toolbox_page_previous"
    TOOLBOX_PAGE_NEXT = "toolbox_page_next"
    TOOLBOX_LANGUAGE = "toolbox_language"
    TOOLBOX_RETIRE = "toolbox_retire"
    JOIN_HOPES = "join_hopes"
    JOIN_INTERESTS = "join_interests"
    JOIN_INTRODUCE = "join_introduce"
    CHARTER_REACCEPT = "charter_reaccept"
    POLL_VOTE = "poll_vote"
    POLL_ADD_OPTION = "poll_add_option"
    POLL_MANAGE = "poll_manage"
    SURVEY_ANSWER = "survey_answer"
    HOME_NEW_SURVEY = "home_new_survey"
    FORGET_TRACKING = "forget_tracking"


class Block(StrEnum):
    """Block ids a listener reads back."""

    HELP_COMMANDS = "help_commands"
    WELCOME_ACTIONS = "welcome_actions"
    JOIN_HOPES = "join_hopes"
    JOIN_INTERESTS = "join_interests"
    JOIN_INTRODUCE = "join_introduce"
    CHARTER_TEXT_FR = "charter_text_fr"
    CHARTER_TEXT_EN = "charter_text_en"
    CHARTER_SUMMARY_FR = "charter_summary_fr"
    CHARTER_SUMMARY_EN = "charter_summary_en"
    CHARTER_REACCEPT = "charter_reaccept"
    TOOLBOX_TITLE = "toolbox_title"
    TOOLBOX_URL = "toolbox_url"
    TOOLBOX_DESCRIPTION = "toolbox_description"
    TOOLBOX_TAGS = "toolbox_tags"
    TOOLBOX_LANGUAGE = "toolbox_language"
    TOOLBOX_RETIRE = "toolbox_retire"
    PURPOSE_FR = "purpose_fr"
    PURPOSE_EN = "purpose_en"
    POLL_QUESTION = "poll_question"
    POLL_OPTIONS = "poll_options"
    POLL_MAX_CHOICES = "poll_max_choices"
    POLL_CLOSES = "poll_closes"
    POLL_FLAGS = "poll_flags"
    POLL_NEW_OPTION = "poll_new_option"
    # A survey question's input is this prefix followed by the question id.
    SURVEY_QUESTION_PREFIX = "survey_q"
    SURVEY_DEFINITION = "survey_definition"
    SURVEY_CLOSES = "survey_closes"
    SURVEY_REMIND = "survey_remind"
    FORGET_TRACKING = "forget_tracking"


class View(StrEnum):
    """Modal callback ids."""

    CHARTER = "charter_modal"
    JOIN_QUESTIONS = "join_questions_modal"
    CHARTER_EDIT = "charter_edit_modal"
    PURPOSE_EDIT = "purpose_edit_modal"
    TOOLBOX_ITEM = "toolbox_item_modal"
    POLL_CREATE = "poll_create_modal"
    POLL_ADD_OPTION = "poll_add_option_modal"
    POLL_DELETE = "poll_delete_modal"
    SURVEY_ANSWER = "survey_answer_modal"
    SURVEY_CREATE = "survey_create_modal"
    SURVEY_LAUNCH = "survey_launch_modal"
    FORGET_ME = "forget_me_modal"
