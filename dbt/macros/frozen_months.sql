{#- The monthly close (DOMAIN.md §13): a month frozen in frozen.<table> is taken from there
    unchanged, every other month from `computed` (a CTE name). `columns` is the mart's column
    list as the close stores it; the frozen table keeps that list, so columns added to the
    mart later are computed after this union. Without a frozen table (a first build) this is
    `computed` alone. -#}
{% macro union_frozen_months(computed, table, columns) -%}
    {%- set frozen = adapter.get_relation(database=target.database, schema='frozen', identifier=table) -%}
    select * from {{ computed }}
    {%- if frozen is not none %}
    where month not in (select distinct frozen_rows.month from {{ frozen }} as frozen_rows)
    union all
    select {{ columns | join(', ') }} from {{ frozen }}
    {%- endif %}
{%- endmacro %}
