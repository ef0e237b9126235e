{% macro duckdb__load_csv_rows(model, agate_table) %}
    {#- Override of dbt-duckdb's seed loader: load the CSV with DuckDB's COPY, with RFC 4180
        quoting spelled out (DuckDB 2.0's sniffer misreads values that start with a doubled
        quote, e.g. '"Brug"-software' in the CPV list). Falls back to dbt-duckdb's row
        inserts when a seed sets `fast: false`. -#}
    {% if config.get('fast', true) %}
        {% set seed_file_path = adapter.get_seed_file_path(model) %}
        {% set delimiter = config.get('delimiter', ',') %}
        {% set sql %}
          copy {{ this.render() }} from '{{ seed_file_path }}'
          (format csv, header true, delimiter '{{ delimiter }}', quote '"', escape '"', encoding 'utf-8')
        {% endset %}
        {% do adapter.add_query(sql, abridge_sql_log=True) %}
        {{ return(sql) }}
    {% endif %}
    {{ return(dbt.default__load_csv_rows(model, agate_table)) }}
{% endmacro %}
