using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>A column a transformer appends: name, type and annotations.</summary>
internal readonly record struct AddedColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null);

/// <summary>
/// Base of this package's ML.NET transformers: appends computed columns to every row of the input, lazily (a value is
/// computed when a getter asks for it, once per row). Gives the <see cref="IDataView"/> cursors, the
/// <see cref="IRowToRowMapper"/> that <c>PredictionEngine</c> needs, and the schema bookkeeping.
/// </summary>
public abstract class AddedColumnsTransformer : ITransformer
{
    /// <summary>Validates <paramref name="inputSchema"/> and names the columns this transformer appends (none: rows pass through).</summary>
    private protected abstract IReadOnlyList<AddedColumn> AddedColumns(DataViewSchema inputSchema);

    /// <summary>The input columns the added values are computed from.</summary>
    private protected abstract IEnumerable<string> InputColumnNames { get; }

    /// <summary>
    /// Makes, once per cursor or PredictionEngine row, the function computing the added values of the current row of
    /// <paramref name="input"/> (index = position in <see cref="AddedColumns"/>). Vector values are returned as arrays
    /// (uint[] or float[]) and handed out as fresh <see cref="VBuffer{T}"/> copies; images as a new <see cref="MLImage"/> per row.
    /// </summary>
    private protected abstract Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema);

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var column in AddedColumns(inputSchema)) builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    /// <inheritdoc />
    public virtual IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, (Mapper)GetRowToRowMapper(input.Schema));
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema, GetOutputSchema(inputSchema));

    /// <inheritdoc />
    public abstract void Save(ModelSaveContext ctx);

    private sealed class Mapper(AddedColumnsTransformer owner, DataViewSchema input, DataViewSchema output) : IRowToRowMapper
    {
        public DataViewSchema InputSchema { get; } = input;
        public DataViewSchema OutputSchema { get; } = output;
        public AddedColumnsTransformer Owner => owner;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
        {
            var needed = new HashSet<int>();
            bool anyAdded = false;
            foreach (var column in dependingColumns)
            {
                if (column.Index < InputSchema.Count) needed.Add(column.Index);
                else anyAdded = true;
            }
            if (anyAdded)
                foreach (string name in owner.InputColumnNames)
                    if (InputSchema.GetColumnOrNull(name) is { } c) needed.Add(c.Index);
            return needed.Order().Select(i => InputSchema[i]).ToArray();
        }

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
            new MappedRow(this, input, new HashSet<int>(activeColumns.Select(c => c.Index)));
    }

    private class MappedRow(Mapper mapper, DataViewRow input, HashSet<int> active) : DataViewRowCursor
    {
        private long _computedPosition = -1;
        private object[]? _values;
        private Func<object[]>? _compute;

        protected DataViewRow Input => input;
        public override DataViewSchema Schema => mapper.OutputSchema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);
        public override bool MoveNext() => input is DataViewRowCursor cursor
            ? cursor.MoveNext()
            : throw new InvalidOperationException("a mapped row cannot move; use a cursor");

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column)) throw new InvalidOperationException($"column '{column.Name}' is not active in this cursor");
            int inputCount = mapper.InputSchema.Count;
            if (column.Index < inputCount) return input.GetGetter<TValue>(mapper.InputSchema[column.Index]);
            int added = column.Index - inputCount;
            var convert = Converter<TValue>(column);
            return (ref TValue value) =>
            {
                if (_values is null || _computedPosition != input.Position)
                {
                    _compute ??= mapper.Owner.Bind(input, mapper.InputSchema);
                    _values = _compute();
                    _computedPosition = input.Position;
                }
                value = convert(_values[added]);
            };
        }

        // Callers may write into the buffers they are given, so every get hands out its own copy.
        private static Func<object, TValue> Converter<TValue>(DataViewSchema.Column column)
        {
            if (typeof(TValue) == typeof(VBuffer<uint>)) return o => (TValue)(object)new VBuffer<uint>(((uint[])o).Length, (uint[])((uint[])o).Clone());
            if (typeof(TValue) == typeof(VBuffer<float>)) return o => (TValue)(object)new VBuffer<float>(((float[])o).Length, (float[])((float[])o).Clone());
            // An MLImage is made anew for each row and never disposed here: rows handed to the user (CreateEnumerable) keep theirs.
            return o => o is TValue typed ? typed
                : throw new InvalidOperationException($"column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class MappedDataView(IDataView input, Mapper mapper) : IDataView
    {
        public bool CanShuffle => input.CanShuffle;
        public DataViewSchema Schema => mapper.OutputSchema;
        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var needed = columnsNeeded.ToArray();
            var cursor = input.GetRowCursor(mapper.GetDependencies(needed), rand);
            return (DataViewRowCursor)mapper.GetRow(cursor, needed);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];
    }
}
