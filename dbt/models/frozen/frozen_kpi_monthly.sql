{{ config(alias='kpi_monthly') }}

{{ freeze_rows('int_kpi_figures_computed', kpi_monthly_columns()) }}
