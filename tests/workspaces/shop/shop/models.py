"""Things that can be bought."""


class Entity:
    """Anything with a name."""

    def __init__(self, name: str):
        self.name = name

    def describe(self) -> str:
        return f"{type(self).__name__} {self.name}"


class Product(Entity):
    """A product with a unit price."""

    def __init__(self, name: str, price: float):
        super().__init__(name)
        self.price = price

    def total(self, quantity: int) -> float:
        """Price of `quantity` units."""
        return self.price * quantity


class DiscountedProduct(Product):
    """A product sold with a percentage off."""

    def __init__(self, name: str, price: float, percent: float):
        super().__init__(name, price)
        self.percent = percent

    def total(self, quantity: int) -> float:
        base = super().total(quantity)
        return self.apply_discount(base)

    def apply_discount(self, amount: float) -> float:
        return amount * (1 - self.percent / 100)
