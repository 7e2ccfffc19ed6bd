{{ config(alias='scorecard_monthly') }}

{{ freeze_rows('int_scorecards_computed', scorecard_monthly_columns()) }}
