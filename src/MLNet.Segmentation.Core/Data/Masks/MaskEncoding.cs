namespace MLNet.Segmentation.Data;

/// <summary>How class ids are stored in mask files.</summary>
public enum MaskEncoding
{
    /// <summary>Palette PNG → palette indices; gray → class ids; RGB → through the colour table (which must be given).</summary>
    Auto = 0,
    /// <summary>Gray (8- or 16-bit) PNG whose values are the class ids (a palette PNG's indices are accepted too).</summary>
    ClassIds = 1,
    /// <summary>Palette PNG whose palette index is the class id.</summary>
    PaletteIndices = 2,
    /// <summary>RGB colour image mapped to classes through <see cref="MaskOptions.ColorTable"/>.</summary>
    RgbColors = 3,
    /// <summary>Binary gray mask (0/255): values of 128 and above become class 1, below class 0.</summary>
    Binary = 4,
}

/// <summary>What to do with a mask colour missing from the colour table.</summary>
public enum UnknownColorPolicy
{
    /// <summary>Throw an <see cref="InvalidDataException"/> naming the file, colour and pixel.</summary>
    Error = 0,
    /// <summary>Map it to <see cref="MaskOptions.IgnoreIndex"/> (which must be set).</summary>
    Ignore = 1,
}
