{#- The moment the whole build is evaluated at. Everything timestamped after it counts as
    not yet happened, so a build with a past as_of shows what the system showed then.
    The var is the only input; an empty var means the wall clock at compile time, read in
    Asia/Shanghai like every timestamp of the sources (never the machine's own zone). -#}
{% macro as_of_text() -%}
    {%- set value = var('as_of', '') -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ return(modules.datetime.datetime.now(modules.pytz.timezone('Asia/Shanghai')).strftime('%Y-%m-%d %H:%M:%S')) }}
    {%- else -%}
        {%- set text = value | string | trim -%}
        {%- if text | length == 10 -%}
            {%- set text = text ~ ' 00:00:00' -%}
        {%- endif -%}
        {%- set parsed = modules.datetime.datetime.strptime(text[:19].replace('T', ' '), '%Y-%m-%d %H:%M:%S') -%}
        {{ return(parsed.strftime('%Y-%m-%d %H:%M:%S')) }}
    {%- endif -%}
{%- endmacro %}

{% macro as_of() -%}
    cast('{{ as_of_text() }}' as timestamp)
{%- endmacro %}

{% macro as_of_date() -%}
    cast('{{ as_of_text()[:10] }}' as date)
{%- endmacro %}

{#- A source timestamp as known at `moment` (as_of() or a month's cutoff_at): itself when it
    is at or before the moment, else null (not happened yet). `known_from` is the moment the
    row carrying it came into being (an archive step's created_at): before that the system
    knew nothing of it. The one definition of "as of" for every item and mart. -#}
{% macro as_of_cut(ts, moment, known_from=none) -%}
    case when {% if known_from is not none %}{{ known_from }} <= {{ moment }} and {% endif %}{{ ts }} <= {{ moment }} then {{ ts }} end
{%- endmacro %}
