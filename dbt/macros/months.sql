{#- Whether an event timestamped `ts` counts in a scored month (DOMAIN §8): it falls in the
    month and is read by the month's cutoff. `months` is the alias of a row of
    int_kpi_months_enumerated. The one definition for every family of indicator items. -#}
{% macro counts_in_month(ts, months='months') -%}
    ({{ ts }} >= {{ months }}.month and {{ ts }} < {{ months }}.next_month_at and {{ ts }} <= {{ months }}.cutoff_at)
{%- endmacro %}
