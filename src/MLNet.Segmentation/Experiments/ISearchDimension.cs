namespace MLNet.Segmentation.Experiments;

/// <summary>
/// One dimension of a <see cref="SegmentationSearchSpace"/> as the strategies see it: a value from one uniform draw
/// (random search), the grid's values in order (grid search), and a fixed copy from command-line text.
/// </summary>
internal interface ISearchDimension
{
    /// <summary>How many values the grid takes along this dimension.</summary>
    int GridCount { get; }

    /// <summary>The value for a uniform draw <paramref name="u"/> in [0, 1).</summary>
    object ValueAt(double u);

    /// <summary>The <paramref name="index"/>-th grid value (0 ≤ index &lt; <see cref="GridCount"/>).</summary>
    object GridValue(int index);

    /// <summary>The default value.</summary>
    object DefaultValue { get; }

    /// <summary>Checks the dimension, naming it <paramref name="name"/> in the message.</summary>
    void Validate(string name);

    /// <summary>
    /// A copy restricted to the values in <paramref name="text"/> ("unet", or "unet|segnet" for a choice), named
    /// <paramref name="name"/> in the message when the text does not parse.
    /// </summary>
    ISearchDimension Restrict(string name, string text);
}
