using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Schema errors worded like ML.NET's own ("Schema mismatch for image column 'Image': expected ..., got ...").</summary>
internal static class SchemaErrors
{
    public static ArgumentOutOfRangeException Missing(string role, string column) =>
        new("inputSchema", $"Could not find {role} column '{column}'");

    public static ArgumentOutOfRangeException Mismatch(string role, string column, string expected, string actual) =>
        new("inputSchema", $"Schema mismatch for {role} column '{column}': expected {expected}, got {actual}");

    public static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => column.ItemType.ToString() ?? "?",
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        _ => $"VarVector<{column.ItemType}>",
    };
}
