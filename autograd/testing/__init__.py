"""Tools to check gradients: gradcheck, gradgradcheck and hypothesis strategies."""
