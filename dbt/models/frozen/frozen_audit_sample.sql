{{ config(alias='audit_sample') }}

{{ freeze_rows('int_audit_samples_drawn', audit_sample_columns()) }}
