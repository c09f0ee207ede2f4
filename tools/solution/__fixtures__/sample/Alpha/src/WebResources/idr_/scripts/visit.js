"use strict";
var Ideario = Ideario || {};
