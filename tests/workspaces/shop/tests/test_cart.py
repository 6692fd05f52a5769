from shop.cart import Cart
from shop.checkout import checkout
from shop.models import DiscountedProduct, Product


def test_total(cart: Cart):
    cart.add(Product("pen", 2.0), 3)
    assert cart.total() == 6.0


def test_discount(cart):
    cart.add(DiscountedProduct("book", 10.0, 50))
    assert checkout(cart) == "paid 5.00 EUR"
