{% macro landing_contract_columns(entity) -%}
    {#- The columns of a landing entity in contract order (from landing_contract(), generated
        from models/staging/landing/_landing__sources.yml). -#}
    {{ return(_landing_contract_entity(entity)['columns']) }}
{%- endmacro %}


{% macro landing_contract_key(entity) -%}
    {#- The key column of a landing entity (from landing_contract()). -#}
    {{ return(_landing_contract_entity(entity)['key']) }}
{%- endmacro %}


{% macro parse_landing_code(entity, col) -%}
    {#- parse_code with the code list and case of `entity`.`col` in the landing contract. -#}
    {%- set code_lists = _landing_contract_entity(entity)['code_lists'] -%}
    {%- if col not in code_lists -%}
        {{ exceptions.raise_compiler_error(
            "parse_landing_code: " ~ entity ~ "." ~ col ~ " has no code list in the landing contract") }}
    {%- endif -%}
    {{ parse_code(col, code_lists[col]['values'], case=code_lists[col]['case']) }}
{%- endmacro %}


{% macro _landing_contract_entity(entity) -%}
    {#- One entity of landing_contract(); stops with a message for an unknown entity. -#}
    {%- set contract = landing_contract() -%}
    {%- if entity not in contract -%}
        {{ exceptions.raise_compiler_error("Unknown landing entity " ~ entity ~ " (landing contract)") }}
    {%- endif -%}
    {{ return(contract[entity]) }}
{%- endmacro %}
