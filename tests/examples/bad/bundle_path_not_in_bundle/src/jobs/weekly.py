# Databricks notebook source
print("weekly")
